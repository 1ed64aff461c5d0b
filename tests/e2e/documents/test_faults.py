"""Faults during ingestion through the queue and its worker: a failing vector store, lost
queues, repeated work (overlapping attempts: tests/service/documents/test_leases.py)."""

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from domain.bootstrap import Adapters
from domain.documents.models import Document, DocumentStatus
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
