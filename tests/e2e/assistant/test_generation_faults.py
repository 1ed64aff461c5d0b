"""Generators that are slow, down, abandoned or too expensive."""

import asyncio
from pathlib import Path

from domain.assistant.generation.base import Finished, Generator
from domain.assistant.generation.openai_compatible import OpenAICompatibleGenerator
from domain.assistant.services import AnswerDelta
from domain.bootstrap import Adapters, build_generator
from domain.documents.parsing import DocumentParser
from domain.identity.principal import Principal
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.fakes.generators import ScriptedGenerator
from tests.support.live_server import free_port
from tests.support.platform import running_platform

ASK = """mutation($q: String!) { ask(input: {question: $q}) { __typename
  ... on Answer { text } ... on Error { code message } } }"""
FALLBACK_ASK = """mutation($q: String!) { ask(input: {question: $q}) { __typename
  ... on Answer { text reply { generator fallbackReason } } ... on Error { code message } } }"""


def adapters(
    embedder: SentenceTransformerEmbedder, extractor: DocumentParser, generator: Generator
) -> Adapters:
    return Adapters(embedder=embedder, extractor=extractor, generator=generator)


async def test_a_consumer_that_goes_away_stops_the_generation(
    pipeline_settings: Settings, embedder: SentenceTransformerEmbedder, extractor: DocumentParser
) -> None:
    slow = ScriptedGenerator(["word "] * 200, name="slow")  # 200 words, if nobody stops it
    async with running_platform(
        pipeline_settings,
        adapters(embedder, extractor, slow),
    ) as platform:
        admin = await platform.client.sign_up()
        user = await platform.services.identity.principal_for(admin.email)
        assert isinstance(user, Principal)
        stream = platform.services.assistant.answer(user, "Anything about receipts?")
        async for event in stream:
            if isinstance(event, AnswerDelta):
                break
        await stream.aclose()
    assert slow.ended
    assert slow.written < 5


async def test_an_unreachable_llm_is_a_clear_error_within_the_timeout(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    down = OpenAICompatibleGenerator(
        f"http://127.0.0.1:{free_port()}/v1", "key", "model", timeout_seconds=3, max_retries=0
    )
    async with running_platform(
        pipeline_settings,
        adapters(embedder, extractor, down),
    ) as platform:
        admin = await platform.client.sign_up()
        started = asyncio.get_running_loop().time()
        body = await platform.client.execute(
            ASK, {"q": "Are receipts required?"}, token=admin.access_token
        )
        elapsed = asyncio.get_running_loop().time() - started
    assert body["data"]["ask"]["__typename"] == "AnswerError"
    assert body["data"]["ask"]["code"] == "LLM_UNAVAILABLE"
    assert elapsed < 4


async def test_the_daily_token_budget_is_enforced(
    pipeline_settings: Settings, embedder: SentenceTransformerEmbedder, extractor: DocumentParser
) -> None:
    # The first answer reserves 63 tokens and spends them; the second would not fit.
    settings = pipeline_settings.model_copy(update={"daily_tokens_per_user": 100})
    spent = Finished(prompt_tokens=60, completion_tokens=3)
    async with running_platform(
        settings,
        adapters(embedder, extractor, ScriptedGenerator(["word "] * 3, finished=spent)),
    ) as platform:
        admin = await platform.client.sign_up()
        first = await platform.client.execute(ASK, {"q": "Receipts?"}, token=admin.access_token)
        second = await platform.client.execute(ASK, {"q": "Receipts?"}, token=admin.access_token)
    assert first["data"]["ask"]["__typename"] == "Answer"
    assert second["data"]["ask"]["__typename"] == "BudgetExceeded"
    assert second["data"]["ask"]["code"] == "BUDGET_EXCEEDED"


async def test_with_the_model_down_the_configured_fallback_answers_and_says_so(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    settings = pipeline_settings.model_copy(
        update={"llm_base_url": f"http://127.0.0.1:{free_port()}/v1", "llm_timeout_seconds": 3}
    )
    async with running_platform(
        settings, adapters(embedder, extractor, build_generator(settings))
    ) as platform:
        admin = await platform.client.sign_up()
        policy = tmp_path / "policy.md"
        policy.write_text("# Travel\n\nReceipts are required for every expense.")
        uploaded = await platform.client.upload(admin, policy)
        await platform.client.wait_until_final(admin, uploaded["document"]["id"])
        body = await platform.client.execute(
            FALLBACK_ASK, {"q": "Are receipts required?"}, token=admin.access_token
        )
    answer = body["data"]["ask"]
    assert answer["__typename"] == "Answer", body
    assert "Receipts are required" in answer["text"]
    assert answer["reply"] == {"generator": "extractive", "fallbackReason": "LLM_UNAVAILABLE"}
