"""One trace per request: an upload's trace continues through its ingestion in the worker
(the context rides in the Dramatiq message), and a question's covers retrieval and generation.
Spans are collected with OpenTelemetry's in-memory exporter."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from domain.tracing import configure_tracing
from tests.support import documents as files
from tests.support.platform import Platform

EXPORTER = InMemorySpanExporter()
ASK = """mutation($q: String!) { ask(input: {question: $q}) { __typename } }"""


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    configure_tracing("beacon-test", None, processor=SimpleSpanProcessor(EXPORTER))
    EXPORTER.clear()
    yield EXPORTER
    EXPORTER.clear()


def trace_of(spans: list[ReadableSpan], name: str) -> int:
    [span] = [span for span in spans if span.name == name]
    assert span.context is not None
    return span.context.trace_id


def names_in(spans: list[ReadableSpan], trace_id: int) -> set[str]:
    return {s.name for s in spans if s.context is not None and s.context.trace_id == trace_id}


async def test_an_uploads_trace_continues_through_its_ingestion_in_the_worker(
    platform: Platform, spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    admin = await platform.client.sign_up()
    uploaded = await platform.client.upload(admin, files.write_docx(tmp_path))
    await platform.client.wait_until_final(admin, uploaded["document"]["id"])

    finished = list(spans.get_finished_spans())
    upload = trace_of(finished, "ingest_document")
    assert {
        "ingestion.parse",
        "ingestion.chunk",
        "ingestion.embed",
        "ingestion.index",
    } <= names_in(finished, upload)
    # The job's span sits in the trace the upload request started.
    assert any(s.name == "POST /graphql" for s in finished if s.context.trace_id == upload)  # type: ignore[union-attr]


async def test_a_questions_trace_covers_retrieval_and_generation(
    platform: Platform, spans: InMemorySpanExporter
) -> None:
    admin = await platform.client.sign_up()
    body = await platform.client.execute(
        ASK, {"q": "Are receipts required?"}, token=admin.access_token
    )
    assert body["data"]["ask"]["__typename"] == "Answer"

    finished = list(spans.get_finished_spans())
    question = trace_of(finished, "answer.search")
    assert {"answer.search", "answer.generate", "POST /graphql"} <= names_in(finished, question)
