"""The answer budget against a real OpenAI-compatible server (llama.cpp, SmolLM2-135M): answers
reserve their largest cost before generating, and unfinished answers pay for what they used."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from domain.assistant.generation.base import GenerationRequest
from domain.assistant.generation.openai_compatible import (
    OpenAICompatibleGenerator,
    build_messages,
    estimate_tokens,
)
from domain.assistant.services import AnswerDelta
from domain.bootstrap import Adapters
from domain.documents.parsing import DocumentParser
from domain.errors import BudgetExceeded
from domain.identity.principal import Principal
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.support.graphql import Account
from tests.support.llm_server import LlmServer, llm_server, llm_server_unavailable_reason
from tests.support.platform import Platform, running_platform

ANSWER_TOKENS = 16
ASK = """mutation($q: String!) { ask(input: {question: $q}) { __typename
  ... on Error { code message } } }"""
USAGE = "{ usage { promptTokens completionTokens } }"


@pytest.fixture(scope="module")
def server() -> Iterator[LlmServer]:
    """llama.cpp serving SmolLM2-135M for this module."""
    reason = llm_server_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with llm_server(n_ctx=2048) as running:
        yield running


@pytest.fixture
def queueing_server() -> Iterator[LlmServer]:
    """llama.cpp letting a request wait for the answer being written, not interrupt it."""
    reason = llm_server_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with llm_server(n_ctx=2048, interrupt_requests=False) as running:
        yield running


@pytest.fixture
async def generator(server: LlmServer) -> AsyncIterator[OpenAICompatibleGenerator]:
    """Short answers, so that twenty of them take seconds on the one-at-a-time server."""
    built = OpenAICompatibleGenerator(
        server.base_url, None, server.model, max_tokens=ANSWER_TOKENS, timeout_seconds=60
    )
    try:
        yield built
    finally:
        await built.close()


def largest_cost(generator: OpenAICompatibleGenerator, question: str) -> int:
    """What an answer to `question` reserves, in an organisation without documents."""
    return generator.max_tokens(GenerationRequest(question, []))


def prompt_estimate(question: str) -> int:
    """The prompt tokens charged for `question` by a server that reports no usage."""
    return estimate_tokens(build_messages(GenerationRequest(question, [])))


async def spent(platform: Platform, admin: Account) -> tuple[int, int]:
    """The organisation's prompt and completion tokens, as its ADMIN sees them."""
    body = await platform.client.execute(USAGE, token=admin.access_token)
    assert not body.get("errors"), body
    return body["data"]["usage"]["promptTokens"], body["data"]["usage"]["completionTokens"]


async def principal(platform: Platform, account: Account) -> Principal:
    found = await platform.services.identity.principal_for(account.email)
    assert isinstance(found, Principal)
    return found


async def test_twenty_concurrent_asks_never_spend_past_the_organisations_budget(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    generator: OpenAICompatibleGenerator,
) -> None:
    question = "What is the refund policy?"
    # Room for two answers at their largest at a time: the others must wait for a settlement
    # or be refused, however they interleave.
    budget = largest_cost(generator, question) * 5 // 2
    settings = pipeline_settings.model_copy(update={"daily_tokens_per_organization": budget})
    async with running_platform(
        settings, Adapters(embedder=embedder, extractor=extractor, generator=generator)
    ) as platform:
        admin = await platform.client.sign_up()
        bob = await platform.client.create_user(admin, "bob@example.com")

        async def ask(account: Account) -> dict[str, Any]:
            body = await platform.client.execute(ASK, {"q": question}, token=account.access_token)
            assert not body.get("errors"), body
            return body["data"]["ask"]  # type: ignore[no-any-return]

        results = await asyncio.gather(*(ask([admin, bob][i % 2]) for i in range(20)))
        prompt, completion = await spent(platform, admin)

    kinds = [result["__typename"] for result in results]
    refused = [result for result in results if result["__typename"] == "BudgetExceeded"]
    assert kinds.count("Answer") >= 2, kinds
    assert kinds.count("Answer") + len(refused) == 20, kinds
    assert refused, kinds
    assert {result["code"] for result in refused} == {"BUDGET_EXCEEDED"}
    assert all("organisation" in result["message"] for result in refused)
    assert 0 < prompt + completion <= budget


async def test_an_abandoned_answer_is_charged_for_what_it_used(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    server: LlmServer,
) -> None:
    question = "Write a very long story about a dragon."
    long_answers = OpenAICompatibleGenerator(server.base_url, None, server.model, max_tokens=1000)
    try:
        async with running_platform(
            pipeline_settings,
            Adapters(embedder=embedder, extractor=extractor, generator=long_answers),
        ) as platform:
            admin = await platform.client.sign_up()
            stream = platform.services.assistant.answer(await principal(platform, admin), question)
            async for event in stream:
                if isinstance(event, AnswerDelta):
                    break
            await stream.aclose()
            charged = await spent(platform, admin)
    finally:
        await long_answers.close()

    # llama-cpp-python reports no usage when streaming: the prompt is estimated, and the one
    # delta received counts one token.
    assert charged == (prompt_estimate(question), 1)


async def test_a_cancelled_answer_is_charged_for_what_it_used(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    server: LlmServer,
) -> None:
    question = "Write a very long story about a dragon."
    long_answers = OpenAICompatibleGenerator(server.base_url, None, server.model, max_tokens=1000)
    deltas = 0
    first_delta = asyncio.Event()
    try:
        async with running_platform(
            pipeline_settings,
            Adapters(embedder=embedder, extractor=extractor, generator=long_answers),
        ) as platform:
            admin = await platform.client.sign_up()
            actor = await principal(platform, admin)

            async def listen() -> None:
                # What a websocket subscription does when its client completes it: the task
                # reading the answer is cancelled, wherever it waits.
                nonlocal deltas
                async for event in platform.services.assistant.answer(actor, question):
                    if isinstance(event, AnswerDelta):
                        deltas += 1
                        first_delta.set()

            listener = asyncio.create_task(listen())
            await asyncio.wait_for(first_delta.wait(), 60)
            listener.cancel()
            with pytest.raises(asyncio.CancelledError):
                await listener
            charged = await spent(platform, admin)
    finally:
        await long_answers.close()

    prompt, completion = charged
    assert prompt == prompt_estimate(question)
    assert deltas <= completion <= deltas + 1  # one more may have arrived as it was cancelled


async def test_a_timed_out_answer_is_charged_for_its_prompt(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    queueing_server: LlmServer,
) -> None:
    question = "What is the refund policy?"
    # While a long story holds the server, the next answer waits for its first token past its
    # timeout, its prompt queued at the server.
    server = queueing_server
    storyteller = OpenAICompatibleGenerator(server.base_url, None, server.model, max_tokens=1000)
    impatient = OpenAICompatibleGenerator(
        server.base_url, None, server.model, timeout_seconds=1, max_retries=0
    )
    story = storyteller.stream(GenerationRequest("Write a very long story about a dragon.", []))
    try:
        async with running_platform(
            pipeline_settings, Adapters(embedder=embedder, extractor=extractor, generator=impatient)
        ) as platform:
            admin = await platform.client.sign_up()
            await anext(story)
            body = await platform.client.execute(ASK, {"q": question}, token=admin.access_token)
            await story.aclose()
            charged = await spent(platform, admin)
    finally:
        await story.aclose()
        await storyteller.close()
        await impatient.close()

    assert body["data"]["ask"]["__typename"] == "AnswerError", body
    assert body["data"]["ask"]["code"] == "LLM_TIMEOUT"
    assert charged == (prompt_estimate(question), 0)


async def test_an_answer_larger_than_the_budget_is_refused_before_generating(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    generator: OpenAICompatibleGenerator,
) -> None:
    question = "What is the refund policy?"
    budget = largest_cost(generator, question) - 1
    settings = pipeline_settings.model_copy(update={"daily_tokens_per_user": budget})
    async with running_platform(
        settings, Adapters(embedder=embedder, extractor=extractor, generator=generator)
    ) as platform:
        admin = await platform.client.sign_up()
        stream = platform.services.assistant.answer(await principal(platform, admin), question)
        with pytest.raises(BudgetExceeded, match="You have used today's answer budget"):
            await anext(stream)
        charged = await spent(platform, admin)
    assert charged == (0, 0)
