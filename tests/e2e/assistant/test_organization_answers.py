"""Answers follow their organisation's settings and record the prompt version they used."""

from pathlib import Path
from typing import Any

from domain.bootstrap import Adapters
from domain.documents.parsing import DocumentParser
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.e2e.administration.test_organization_settings import update
from tests.e2e.assistant.test_answers import HOLIDAYS, POLICY, ingest
from tests.fakes.generators import ScriptedGenerator
from tests.support.platform import Platform, running_platform

ASK = """mutation($input: AskInput!) { ask(input: $input) { __typename
  ... on Answer { reply { promptVersion generator } } } }"""


async def ask(platform: Platform, token: str) -> dict[str, Any]:
    question = {"input": {"question": "How many vacation days, and are receipts needed?"}}
    body = await platform.client.execute(ASK, question, token=token)
    assert not body.get("errors"), body
    answer: dict[str, Any] = body["data"]["ask"]
    return answer


async def test_answers_follow_the_organisations_prompt_and_sources_and_record_the_version(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    generator = ScriptedGenerator(["Noted."], name="recording")  # keeps every request
    async with running_platform(
        pipeline_settings, Adapters(embedder=embedder, extractor=extractor, generator=generator)
    ) as platform:
        admin = await platform.client.sign_up()
        await ingest(platform, admin, tmp_path, "policy.md", POLICY)
        await ingest(platform, admin, tmp_path, "holidays.md", HOLIDAYS)

        before = await ask(platform, admin.access_token)
        await update(platform.client, admin, answerSources=1, systemPrompt="Answer briefly.")
        after = await ask(platform, admin.access_token)

    assert before["reply"] == {"promptVersion": "beacon-1", "generator": "recording"}
    assert after["reply"] == {"promptVersion": "organization-1", "generator": "recording"}
    first, second = generator.requests
    assert (first.instructions, len(first.sources) > 1) == (None, True)
    assert (second.instructions, len(second.sources)) == ("Answer briefly.", 1)
