"""Faults during ingestion: a failing vector store, lost queues, repeated and concurrent work."""

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from tortoise.expressions import F

from domain.bootstrap import Adapters
from domain.documents.extraction import ExtractedDocument
from domain.documents.ingestion import LeaseHeld
from domain.documents.kinds import DocumentKind
from domain.documents.models import Chunk, Document, DocumentStatus, DocumentText
from domain.documents.parsing import DocumentParser
from domain.retrieval.building import build_vector_store
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.retrieval.vectorstores.base import VectorRecord
from domain.settings import Settings
from tests.support import documents as files
from tests.support.platform import Platform, running_platform
from workers.actors import QUEUE
from workers.runtime import WorkerRuntime


class FlakyVectors:
    """A real vector store whose first `failures` writes raise, like a store that is down."""

    def __init__(self, settings: Settings, failures: int) -> None:
        self.inner = build_vector_store(settings)
        self.failures = failures
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def add(self, records: Sequence[VectorRecord]) -> None:
        self._fail_while_down()
        await self.inner.add(records)

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        self._fail_while_down()
        await self.inner.upsert(records)

    def _fail_while_down(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("vector store unreachable")


async def test_a_vector_store_outage_is_retried_until_it_recovers(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    flaky = FlakyVectors(pipeline_settings, failures=1)
    async with running_platform(
        pipeline_settings, Adapters(embedder=embedder, extractor=extractor, vectors=flaky)
    ) as platform:
        admin = await platform.client.sign_up()
        uploaded = await platform.client.upload(admin, files.write_text(tmp_path))
        document = await platform.client.wait_until_final(admin, uploaded["document"]["id"])
    assert document["status"] == "READY"
    assert document["attempts"] == 2
    assert flaky.calls == 2


async def test_a_vector_store_that_stays_down_fails_the_document_with_the_cause_as_its_code(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    settings = pipeline_settings.model_copy(update={"ingest_max_attempts": 2})
    down = FlakyVectors(settings, failures=1000)
    async with running_platform(
        settings, Adapters(embedder=embedder, extractor=extractor, vectors=down)
    ) as platform:
        admin = await platform.client.sign_up()
        path = files.write_text(tmp_path)
        uploaded = await platform.client.upload(admin, path)
        document = await platform.client.wait_until_final(admin, uploaded["document"]["id"])
        assert document["status"] == "FAILED"
        assert document["failure"]["code"] == "VECTOR_STORE_UNAVAILABLE"
        assert (document["failureCode"], document["failure"]["retryable"]) == (
            "VECTOR_STORE_UNAVAILABLE",
            True,
        )
        assert "vector store unreachable" in document["failure"]["message"]
        assert down.calls == 2

        # The store is back: the same file uploaded again is the same document, queued again.
        down.failures = 0
        again = await platform.client.upload(admin, path)
        assert again["__typename"] == "UploadDocumentSuccess", again
        assert (again["duplicate"], again["retried"]) == (True, True)
        assert again["document"]["id"] == document["id"]
        assert (again["document"]["status"], again["document"]["version"]) == ("QUEUED", 2)
        assert again["document"]["failure"] is None
        retried = await platform.client.wait_until_final(admin, document["id"])
    assert (retried["status"], retried["version"], retried["attempts"]) == ("READY", 2, 1)


async def test_an_upload_while_the_queue_is_down_is_kept_and_the_sweeper_processes_it_later(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await platform.client.sign_up()

    def queue_down(document_id: uuid.UUID) -> None:
        raise redis.exceptions.ConnectionError("Error 111 connecting to redis:6379.")

    monkeypatch.setattr(platform.runtime.jobs, "ingest_document", queue_down)
    uploaded = await platform.client.upload(admin, files.write_text(tmp_path))
    assert uploaded["__typename"] == "IngestionDelayed", uploaded
    assert uploaded["code"] == "INGESTION_DELAYED"
    assert "stored" in uploaded["message"]
    document_id = uploaded["document"]["id"]
    assert uploaded["document"]["status"] == "QUEUED"

    monkeypatch.undo()  # the queue is back
    # A lease later nobody has touched the document, and no message waits in the queue.
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    await Document.filter(id=document_id).update(updated_at=an_hour_ago)
    assert await asyncio.to_thread(platform.runtime.sweep) == 1
    document = await platform.client.wait_until_final(admin, document_id)
    assert document["status"] == "READY"


async def test_documents_left_unfinished_are_picked_up_at_start_up(
    platform: Platform,
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    admin = await platform.client.sign_up()
    await asyncio.to_thread(platform.runtime.stop)  # the process "dies": its queue is gone
    uploaded = await platform.client.upload(admin, files.write_text(tmp_path))
    document_id = uploaded["document"]["id"]
    await asyncio.sleep(0.5)
    assert (await Document.get(id=document_id)).status is DocumentStatus.QUEUED
    restarted = WorkerRuntime(
        pipeline_settings,
        Adapters(events=platform.services.events, embedder=embedder, extractor=extractor),
    )
    await asyncio.to_thread(restarted.start)
    try:
        document = await platform.client.wait_until_final(admin, document_id)
    finally:
        await asyncio.to_thread(restarted.stop)
    assert document["status"] == "READY"


async def test_ingesting_a_ready_document_again_changes_nothing(
    platform: Platform, tmp_path: Path
) -> None:
    admin = await platform.client.sign_up()
    uploaded = await platform.client.upload(admin, files.write_docx(tmp_path))
    document_id = uuid.UUID(uploaded["document"]["id"])
    ready = await platform.client.wait_until_final(admin, str(document_id))
    before = await Document.get(id=document_id)
    await platform.services.ingestion.ingest(document_id)
    platform.services.jobs.ingest_document(document_id)  # a duplicate message
    # Handled once the worker has drained the queue (the in-memory broker counts acks).
    await asyncio.to_thread(platform.runtime.broker.join, QUEUE, timeout=30_000, fail_fast=False)
    after = await Document.get(id=document_id)
    org = uuid.UUID(admin.organization_id)
    assert await platform.services.vectors.count(org, document_id) == ready["chunkCount"]
    assert (after.status, after.attempts, after.updated_at) == (
        before.status,
        before.attempts,
        before.updated_at,
    )


async def test_a_crashed_attempt_is_redone_without_duplicating_anything(
    platform: Platform,
    tmp_path: Path,
) -> None:
    admin = await platform.client.sign_up()
    uploaded = await platform.client.upload(admin, files.write_docx(tmp_path))
    document_id = uuid.UUID(uploaded["document"]["id"])
    ready = await platform.client.wait_until_final(admin, str(document_id))
    # As if a worker died during INDEXING: state not final, lease expired.
    await Document.filter(id=document_id).update(
        status=DocumentStatus.INDEXING, lease_expires_at=None
    )
    assert platform.runtime.sweep(everything=True) == 1
    again = await platform.client.wait_until_final(admin, str(document_id))
    org = uuid.UUID(admin.organization_id)
    assert await platform.services.vectors.count(org, document_id) == ready["chunkCount"]
    assert again["status"] == "READY"
    assert again["chunkCount"] == ready["chunkCount"]


async def test_a_second_worker_backs_off_while_the_first_holds_the_lease(
    platform: Platform,
    tmp_path: Path,
) -> None:
    admin = await platform.client.sign_up()
    await asyncio.to_thread(platform.runtime.stop)
    uploaded = await platform.client.upload(admin, files.write_text(tmp_path))
    document_id = uuid.UUID(uploaded["document"]["id"])
    ingestion = platform.services.ingestion
    results = await asyncio.gather(
        ingestion.ingest(document_id), ingestion.ingest(document_id), return_exceptions=True
    )
    document = await Document.get(id=document_id)
    assert sum(isinstance(r, LeaseHeld) for r in results) == 1
    assert sum(r is None for r in results) == 1
    assert document.status is DocumentStatus.READY
    assert document.attempts == 1


class HeldParser:
    """The real parser, holding each document (or the first `holds`) until the test lets it go."""

    def __init__(self, inner: DocumentParser, holds: int | None = None) -> None:
        self.inner = inner
        self.holds = holds
        self.calls = 0
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        self.calls += 1
        if self.holds is None or self.calls <= self.holds:
            self.reached.set()
            await self.release.wait()
        return await self.inner.extract(path, kind)


async def test_a_stalled_document_restarts_at_parsing_as_its_lease_is_taken(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    held = HeldParser(extractor)
    async with running_platform(
        pipeline_settings, Adapters(embedder=embedder, extractor=held)
    ) as platform:
        admin = await platform.client.sign_up()
        await asyncio.to_thread(platform.runtime.stop)
        uploaded = await platform.client.upload(admin, files.write_text(tmp_path))
        document_id = uuid.UUID(uploaded["document"]["id"])
        # As if an earlier worker died while embedding.
        await Document.filter(id=document_id).update(status=DocumentStatus.EMBEDDING, progress=0.5)
        async with platform.services.events.subscribe(document_id) as changes:
            ingesting = asyncio.create_task(platform.services.ingestion.ingest(document_id))
            await asyncio.wait_for(held.reached.wait(), 30)
            assert await changes.wait(1)
            document = await Document.get(id=document_id)
            held.release.set()
            await ingesting
        finished = await Document.get(id=document_id)
    assert (document.status, document.progress, document.attempts) == (
        DocumentStatus.PARSING,
        0.05,
        1,
    )
    assert document.lease_expires_at is not None
    assert finished.status is DocumentStatus.READY


async def test_a_document_held_in_the_parser_past_its_lease_keeps_it(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    settings = pipeline_settings.model_copy(update={"ingest_lease_seconds": 3})
    held = HeldParser(extractor)
    async with running_platform(settings, Adapters(embedder=embedder, extractor=held)) as platform:
        admin = await platform.client.sign_up()
        await asyncio.to_thread(platform.runtime.stop)
        uploaded = await platform.client.upload(admin, files.write_text(tmp_path))
        document_id = uuid.UUID(uploaded["document"]["id"])
        ingestion = platform.services.ingestion
        ingesting = asyncio.create_task(ingestion.ingest(document_id))
        await asyncio.wait_for(held.reached.wait(), 30)
        claimed = await Document.get(id=document_id)
        assert claimed.lease_expires_at is not None
        # Past the lease the claim took: only renewals keep a second attempt from starting.
        await asyncio.sleep((claimed.lease_expires_at - datetime.now(UTC)).total_seconds() + 0.5)
        with pytest.raises(LeaseHeld):
            await asyncio.wait_for(ingestion.ingest(document_id), 30)
        held.release.set()
        await ingesting
        finished = await Document.get(id=document_id)
    assert (finished.status, finished.attempts) == (DocumentStatus.READY, 1)


async def test_an_attempt_superseded_while_in_the_parser_stops_parsing(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    settings = pipeline_settings.model_copy(update={"ingest_lease_seconds": 2})
    held = HeldParser(extractor)  # never released: only the attempt's own renewal can end it
    async with running_platform(settings, Adapters(embedder=embedder, extractor=held)) as platform:
        admin = await platform.client.sign_up()
        await asyncio.to_thread(platform.runtime.stop)
        uploaded = await platform.client.upload(admin, files.write_text(tmp_path))
        document_id = uuid.UUID(uploaded["document"]["id"])
        ingesting = asyncio.create_task(platform.services.ingestion.ingest(document_id))
        await asyncio.wait_for(held.reached.wait(), 30)
        # As if another worker had taken the document over with a second attempt.
        await Document.filter(id=document_id).update(attempts=F("attempts") + 1)
        await asyncio.wait_for(ingesting, 30)
        document = await Document.get(id=document_id)
        chunks = await Chunk.filter(document_id=document_id).count()
    assert (document.status, document.attempts, chunks) == (DocumentStatus.PARSING, 2, 0)


async def test_two_overlapping_attempts_end_in_one_ready_document(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    held = HeldParser(extractor, holds=1)
    vectors = FlakyVectors(pipeline_settings, failures=0)  # counts the writes
    async with running_platform(
        pipeline_settings, Adapters(embedder=embedder, extractor=held, vectors=vectors)
    ) as platform:
        admin = await platform.client.sign_up()
        await asyncio.to_thread(platform.runtime.stop)
        uploaded = await platform.client.upload(admin, files.write_docx(tmp_path))
        document_id = uuid.UUID(uploaded["document"]["id"])
        ingestion = platform.services.ingestion
        first = asyncio.create_task(ingestion.ingest(document_id))
        await asyncio.wait_for(held.reached.wait(), 30)
        # The first attempt's worker falls silent for longer than its lease (a stalled process,
        # a lost connection), so the next message starts a second attempt, which completes.
        expired = datetime.now(UTC) - timedelta(seconds=1)
        await Document.filter(id=document_id).update(lease_expires_at=expired)
        await ingestion.ingest(document_id)
        ready = await Document.get(id=document_id)
        held.release.set()  # the first attempt wakes up and carries on
        await first
        after = await Document.get(id=document_id)
        org = uuid.UUID(admin.organization_id)
        stored_vectors = await vectors.count(org, document_id)
        chunk_rows = await Chunk.filter(document_id=document_id).count()
        texts = await DocumentText.filter(document_id=document_id).count()

    def state(document: Document) -> tuple[object, ...]:
        return (
            document.status,
            document.progress,
            document.attempts,
            document.chunk_count,
            document.failure_code,
            document.failure_message,
            document.lease_expires_at,
            document.ready_at,
        )

    assert (ready.status, ready.attempts, ready.failure_code) == (DocumentStatus.READY, 2, None)
    assert state(after) == state(ready)  # every write of the first attempt was refused
    assert vectors.calls == 1  # the second attempt's; the first wrote none
    assert chunk_rows == stored_vectors == after.chunk_count > 0
    assert texts == 1
