"""The ingestion pipeline: QUEUED → PARSING → CHUNKING → EMBEDDING → INDEXING → READY | FAILED.

Every step is idempotent and guarded by a lease on the document row, so a retry, a
duplicate message or two workers at once end in one final state. Each attempt is fenced: its
writes to the row name its attempt number and stop once a later attempt took the lease, and
steps that may outlast the lease renew it. Chunk and vector ids are derived from (document,
version, index), so repeating a step overwrites, never adds.
"""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar

import structlog
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from domain.documents import lifecycle
from domain.documents.extraction import ChunkDraft, ExtractedDocument
from domain.documents.filestores.base import FileStore, StoredFileMissing
from domain.documents.kinds import DocumentKind
from domain.documents.lifecycle import Claim
from domain.documents.models import (
    Chunk,
    Document,
    DocumentStatus,
    DocumentText,
    FailureCode,
    chunk_id,
)
from domain.documents.services import storage_key
from domain.errors import DocumentRejected, DocumentTooLarge, FileMissing, VectorStoreUnavailable
from domain.logs import log_context
from domain.metrics import METRICS
from domain.notifications import Notifications
from domain.retrieval.embedding import Embedder
from domain.retrieval.spaces import ModelSpaces
from domain.retrieval.vectorstores.base import VectorRecord
from domain.tracing import tracer

log = logging.getLogger("beacon.ingestion")

_UNFINISHED = [s for s in DocumentStatus if not s.is_final]
# How often, in fractions of the lease, a long step renews it: twice more before it runs out.
_RENEWALS_PER_LEASE = 3

T = TypeVar("T")


@contextmanager
def _timed(stage: str) -> Iterator[None]:
    """A span for the stage, and its duration observed, failed attempts included: they took
    the time too."""
    with (
        tracer.start_as_current_span(f"ingestion.{stage}"),
        METRICS.ingestion_stage_seconds.labels(stage).time(),
    ):
        yield


class Extractor(Protocol):
    """Parses and chunks a stored file (docling in a child process)."""

    async def extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        """The document's text and chunks; raises `DocumentRejected` for bad files."""
        ...


class LeaseHeld(Exception):
    """Another worker is processing the document right now; try again later."""


class _Superseded(Exception):
    """The document was deleted or reindexed while we worked on it."""


@dataclass(frozen=True)
class IngestionLimits:
    """How hard to try."""

    max_attempts: int = 3
    lease: timedelta = timedelta(minutes=2)
    embedding_batch: int = 64
    max_chunks: int = 20_000


class IngestionService:
    """Turns stored files into searchable chunks."""

    def __init__(
        self,
        files: FileStore,
        extractor: Extractor,
        embedder: Embedder,
        vectors: ModelSpaces,
        events: Notifications,
        limits: IngestionLimits,
    ) -> None:
        self._files = files
        self._extractor = extractor
        self._embedder = embedder
        # Per embedding model: a write goes to every model the organisation needs.
        self._vectors = vectors
        self._events = events
        self._limits = limits

    async def ingest(self, document_id: uuid.UUID) -> None:
        """Bring the document's current version to READY or FAILED.

        Permanent problems (a corrupt file...) fail the document at once. Anything else is
        raised for the queue to retry; the attempt is counted when the lease is taken, so a
        worker killed mid-document counts too, and the document fails after `max_attempts`,
        with the last attempt's transient cause as its code if it had one (uploading the file
        again then tries anew), else TOO_MANY_ATTEMPTS.
        """
        # Every line logged while the attempt runs names the document and the attempt.
        with log_context(document_id=str(document_id)):
            await self._attempt(document_id)

    async def _attempt(self, document_id: uuid.UUID) -> None:
        work = await self._claim(document_id)
        if work is None:
            return
        structlog.contextvars.bind_contextvars(attempt=work.attempts)
        if work.attempts > self._limits.max_attempts:
            reason = work.last_error or "the worker stopped while processing it"
            await self._fail(
                work,
                work.last_cause or FailureCode.TOO_MANY_ATTEMPTS,
                f"Processing failed {work.attempts - 1} times; last error: {reason}",
            )
            return
        try:
            await self._run(work)
        except _Superseded:
            log.info("document %s changed while ingesting; stopping", document_id)
        except DocumentRejected as error:
            if not error.permanent:
                await lifecycle.release(work, error.message, FailureCode.of(error.code))
                raise
            await self._fail(work, FailureCode.of(error.code), error.message)
        except Exception as error:
            await lifecycle.release(work, f"{type(error).__name__}: {error}", None)
            raise

    async def purge(self, document_id: uuid.UUID, organization_id: uuid.UUID, key: str) -> None:
        """Remove a deleted document's vectors and file (idempotent)."""
        await self._vectors.delete_document(organization_id, document_id)
        await self._files.delete(key)

    async def unfinished(
        self, *, everything: bool = False, waiting: bool = True
    ) -> list[uuid.UUID]:
        """Documents to enqueue again: all unfinished ones (after a restart of the embedded
        default, whose in-memory queue is gone), or those whose worker went silent, plus —
        with `waiting` — QUEUED ones untouched for a lease (their message may be lost)."""
        query = Document.filter(status__in=_UNFINISHED)
        if not everything:
            now = datetime.now(UTC)
            stalled = Q(lease_expires_at__lt=now)
            if waiting:
                stalled |= Q(lease_expires_at=None, updated_at__lt=now - self._limits.lease)
            query = query.filter(stalled)
        return list(await query.values_list("id", flat=True))  # type: ignore[arg-type]

    async def count_by_status(self) -> dict[DocumentStatus, int]:
        """How many documents are in each status, every status included (for the metrics)."""
        rows = (
            await Document.annotate(count=Count("id")).group_by("status").values("status", "count")
        )
        counts = dict.fromkeys(DocumentStatus, 0)
        counts.update({DocumentStatus(row["status"]): row["count"] for row in rows})
        return counts

    async def _claim(self, document_id: uuid.UUID) -> Claim | None:
        """Take the lease and enter PARSING, where every attempt starts; or say why not:
        gone or final (None), or busy (LeaseHeld)."""
        now = datetime.now(UTC)
        work = await lifecycle.claim(document_id, now, now + self._limits.lease)
        if work is not None:
            await self._events.publish(document_id)
            return work
        current = await lifecycle.status(document_id)
        if current is None or current.is_final:
            return None
        raise LeaseHeld(f"document {document_id} is being processed by another worker")

    async def _run(self, work: Claim) -> None:
        # PARSING was entered with the lease (see _claim).
        try:
            with _timed("parse"):
                async with self._files.local_copy(storage_key(work.id)) as path:
                    extracted = await self._holding_lease(
                        work, self._extractor.extract(path, work.kind)
                    )
        except StoredFileMissing:
            raise FileMissing("The stored file is missing.") from None
        if len(extracted.chunks) > self._limits.max_chunks:
            # Pages bound PDFs, but not a DOCX of one endless page or a vast spreadsheet: every
            # chunk costs a row, an embedding and a vector.
            raise DocumentTooLarge(
                f"The document makes {len(extracted.chunks)} passages; "
                f"the limit is {self._limits.max_chunks}."
            )
        await self._stage(work, DocumentStatus.CHUNKING, 0.25)
        with _timed("chunk"):
            await self._save_chunks(work, extracted)
        await self._stage(work, DocumentStatus.EMBEDDING, 0.3)
        with _timed("embed"):
            vectors = await self._embed(work, extracted.chunks)
        await self._stage(work, DocumentStatus.INDEXING, 0.9)
        with _timed("index"):
            await self._index(work, extracted.chunks, vectors)
        if work.version > 1:
            for older in (
                Chunk.filter(document_id=work.id),
                DocumentText.filter(document_id=work.id),
            ):
                await older.exclude(version=work.version).delete()
        await self._finish(work, extracted)

    async def _index(
        self, work: Claim, chunks: Sequence[ChunkDraft], vectors: Sequence[list[float]]
    ) -> None:
        records = self._records(work, chunks, vectors)
        try:
            if work.attempts == 1:
                # Every attempt is counted when it takes the lease and every re-ingestion
                # starts a new version, so on a version's first attempt none of its ids can be
                # stored: a second attempt writes only once it holds the lease, and the
                # INDEXING stage just renewed ours for a whole lease (or found it taken, and
                # stopped us).
                await self._vectors.write(records, self._embedder.name, new=True)
            else:
                await self._vectors.write(records, self._embedder.name, new=False)
            if work.version > 1:  # earlier versions' vectors go once the new ones are in
                await self._vectors.delete_document(
                    work.organization_id, work.id, keep_version=work.version
                )
        except Exception as error:
            # The document is not at fault: named as such, its failure can be retried.
            raise VectorStoreUnavailable(
                f"The vector store failed: {type(error).__name__}: {error}"
            ) from error

    async def _save_chunks(self, work: Claim, extracted: ExtractedDocument) -> None:
        async with in_transaction():
            if work.attempts > 1:  # an earlier attempt at this version may have saved some
                await Chunk.filter(document_id=work.id, version=work.version).delete()
                await DocumentText.filter(document_id=work.id, version=work.version).delete()
            await DocumentText.create(
                document_id=work.id, version=work.version, text=extracted.text
            )
            await Chunk.bulk_create(
                [
                    Chunk(
                        id=chunk_id(work.id, work.version, draft.index),
                        document_id=work.id,
                        version=work.version,
                        index=draft.index,
                        text=draft.text,
                        start=draft.start,
                        end=draft.end,
                        page_start=draft.page_start,
                        page_end=draft.page_end,
                        heading_path=draft.heading_path,
                        token_count=draft.token_count,
                    )
                    for draft in extracted.chunks
                ],
                batch_size=500,
            )

    async def _embed(self, work: Claim, chunks: Sequence[ChunkDraft]) -> list[list[float]]:
        vectors: list[list[float]] = []
        size = self._limits.embedding_batch
        for start in range(0, len(chunks), size):
            batch = chunks[start : start + size]
            vectors += await self._embedder.embed([chunk.text for chunk in batch])
            if start + size < len(chunks):  # after the last batch, INDEXING says it all
                done = (start + size) / len(chunks)
                await self._stage(work, DocumentStatus.EMBEDDING, 0.3 + 0.6 * done)
        return vectors

    def _records(
        self, work: Claim, chunks: Sequence[ChunkDraft], vectors: Sequence[list[float]]
    ) -> list[VectorRecord]:
        return [
            VectorRecord(
                id=chunk_id(work.id, work.version, chunk.index),
                organization_id=work.organization_id,
                document_id=work.id,
                version=work.version,
                chunk_index=chunk.index,
                visibility=work.visibility.value,
                owner_id=work.owner_id,
                text=chunk.text,
                vector=vector,
                page=chunk.page_start,
                heading_path=chunk.heading_path,
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]

    async def _holding_lease(self, work: Claim, step: Awaitable[T]) -> T:
        """Await a step that may outlast the lease, renewing it meanwhile.

        Waiting for a free parser process and parsing (up to the parse timeout, longer than
        the lease) send no progress, so without renewals the sweeper would start a second
        attempt beside a healthy one. A renewal that finds the attempt superseded stops the
        step: its result could no longer be written.
        """
        running = asyncio.ensure_future(step)
        every = self._limits.lease.total_seconds() / _RENEWALS_PER_LEASE
        try:
            while True:
                done, _ = await asyncio.wait({running}, timeout=every)
                if done:
                    return running.result()
                if not await self._renew(work):
                    raise _Superseded
        finally:
            if not running.done():
                running.cancel()
                await asyncio.gather(running, return_exceptions=True)

    async def _renew(self, work: Claim) -> bool:
        """Extend the lease; False only if the attempt was superseded."""
        try:
            return await lifecycle.renew(work, datetime.now(UTC) + self._limits.lease)
        except Exception:
            # The step goes on: a later renewal may succeed, and if the lease runs out first,
            # the fence keeps this attempt from writing over its successor.
            log.warning("renewing the lease of document %s failed", work.id, exc_info=True)
            return True

    async def _stage(self, work: Claim, status: DocumentStatus, progress: float) -> None:
        """Record progress and renew the lease; stop if the document changed under us."""
        lease_until = datetime.now(UTC) + self._limits.lease
        if not await lifecycle.stage(work, status, round(progress, 4), lease_until):
            raise _Superseded
        await self._events.publish(work.id)

    async def _finish(self, work: Claim, extracted: ExtractedDocument) -> None:
        pages = extracted.page_count
        if not await lifecycle.finish(work, len(extracted.chunks), pages, datetime.now(UTC)):
            # Deleted while we indexed: take our vectors back out so nothing is orphaned.
            if await lifecycle.status(work.id) is None:
                await self._vectors.delete_document(work.organization_id, work.id)
            raise _Superseded
        log.info("document ready: %d chunks", len(extracted.chunks))
        await self._events.publish(work.id)

    async def _fail(self, work: Claim, code: FailureCode, message: str) -> None:
        if not await lifecycle.fail(work, code, message):
            log.info("document %s changed while ingesting; not failing it", work.id)
            return
        log.warning("document %s failed: %s %s", work.id, code, message)
        await self._events.publish(work.id)
