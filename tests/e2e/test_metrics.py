"""Beacon's metrics move with the work, and the API's `GET /metrics` serves them."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from domain.assistant.generation.base import Finished
from domain.bootstrap import Adapters
from domain.documents.parsing import DocumentParser
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.e2e.documents.conftest import embedder, extractor, pipeline_settings
from tests.fakes.generators import ScriptedGenerator
from tests.support import documents as files
from tests.support.platform import Platform, running_platform

__all__ = ["embedder", "extractor", "pipeline_settings"]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

SEARCH = "query($q: String!) { search(query: $q, first: 3) { text } }"
ASK = """mutation($q: String!) { ask(input: {question: $q}) { __typename
  ... on Answer { text reply { id } } ... on Error { code message } } }"""


def metered() -> ScriptedGenerator:
    """Answers in two words and reports its usage, as an LLM does."""
    return ScriptedGenerator(
        ["Noted", "."],
        finished=Finished(prompt_tokens=40, completion_tokens=2),
        max_tokens=16,
        name="metered",
    )


@pytest.fixture
async def platform(
    pipeline_settings: Settings, embedder: SentenceTransformerEmbedder, extractor: DocumentParser
) -> AsyncIterator[Platform]:
    async with running_platform(
        pipeline_settings, Adapters(embedder=embedder, extractor=extractor, generator=metered())
    ) as running:
        yield running


async def scrape(platform: Platform) -> Samples:
    """Every sample `GET /metrics` shows, by name and labels."""
    response = await platform.client.http.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for a series not observed yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_ingesting_searching_and_asking_move_the_metrics(
    platform: Platform, tmp_path: Path
) -> None:
    client = platform.client
    admin = await client.sign_up()
    before = await scrape(platform)

    uploaded = await client.upload(admin, files.write_markdown(tmp_path))
    document = await client.wait_until_final(admin, uploaded["document"]["id"])
    assert document["status"] == "READY", document
    await asyncio.to_thread(platform.runtime.sweep)
    after_ingestion = await scrape(platform)
    for stage in ("parse", "chunk", "embed", "index"):
        name = "beacon_ingestion_stage_seconds_count"
        assert value(after_ingestion, name, stage=stage) == value(before, name, stage=stage) + 1
    # The tables were emptied for this test: the one document is all there is.
    assert value(after_ingestion, "beacon_documents", status="READY") == 1
    assert value(after_ingestion, "beacon_documents", status="QUEUED") == 0
    assert ("beacon_queue_depth", frozenset()) in after_ingestion

    body = await client.execute(SEARCH, {"q": "anything"}, token=admin.access_token)
    assert not body.get("errors"), body
    answered = await client.execute(ASK, {"q": "What does it say?"}, token=admin.access_token)
    assert answered["data"]["ask"]["__typename"] == "Answer", answered
    after = await scrape(platform)

    searches = "beacon_search_seconds_count"
    # The question searched too (hybrid), after the query.
    assert value(after, searches, mode="hybrid") == value(before, searches, mode="hybrid") + 2
    first_delta = "beacon_answer_first_delta_seconds_count"
    assert value(after, first_delta) == value(before, first_delta) + 1
    tokens = "beacon_llm_tokens_total"
    for kind, spent in (("prompt", 40), ("completion", 2)):
        labels = {"kind": kind, "generator": "metered"}
        assert value(after, tokens, **labels) == value(before, tokens, **labels) + spent
    assert "beacon_http_requests_total" in {name for name, _ in after}
