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
from typing import TypeVar

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from domain.documents import lifecycle
from domain.documents.extraction import ChunkDraft, ExtractedDocument, Extractor
from domain.documents.filestores.base import FileStore, StoredFileMissing
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


class LeaseHeld(Exception):
    """Another worker is processing the document right now; try again later."""


class _Superseded(Exception):
    """The document was deleted or reindexed while we worked on it."""


@dataclass(frozen=True, eq=False)
class _Parsed:
    """A claimed document and what parsing made of it (compared by identity)."""

    work: Claim
    extracted: ExtractedDocument


@contextmanager
def _about(work: Claim) -> Iterator[None]:
    """Every line logged inside names the document and the attempt."""
    with log_context(document_id=str(work.id), attempt=work.attempts):
        yield


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
        raised = (await self.ingest_many([document_id]))[document_id]
        if raised is not None:
            raise raised

    async def ingest_many(
        self, document_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Exception | None]:
        """`ingest` for several documents moving through the lifecycle together: one lease
        statement, one insert of their chunks, one embedding call per `embedding_batch`
        chunks, one vector-store write, one READY statement, one notification per stage.

        Each document keeps its own attempt, fence and outcome: what `ingest` would have
        raised for it is returned under its id (None: nothing to retry). A document that
        fails, in parsing or anywhere later, fails alone: if a step fails for the batch, its
        documents go through the remaining steps one by one, so only the culprit fails.
        """
        outcomes: dict[uuid.UUID, Exception | None] = dict.fromkeys(document_ids)
        METRICS.ingestion_batch_documents.observe(len(outcomes))
        claims = await self._claim(list(outcomes), outcomes)
        runnable: list[Claim] = []
        for work in claims:
            if work.attempts > self._limits.max_attempts:
                reason = work.last_error or "the worker stopped while processing it"
                with _about(work):
                    await self._fail(
                        work,
                        work.last_cause or FailureCode.TOO_MANY_ATTEMPTS,
                        f"Processing failed {work.attempts - 1} times; last error: {reason}",
                    )
            else:
                runnable.append(work)
        parsed = await asyncio.gather(
            *(self._parse(work) for work in runnable), return_exceptions=True
        )
        batch: list[_Parsed] = []
        for work, result in zip(runnable, parsed, strict=True):
            if isinstance(result, BaseException):
                outcomes[work.id] = await self._settle(work, result)
            else:
                batch.append(_Parsed(work, result))
        if not batch:
            return outcomes
        try:
            await self._write(batch, again=False)
        except _Superseded:
            return outcomes  # every one of them changed under us (logged as they dropped)
        except Exception as error:
            if len(batch) == 1:
                outcomes[batch[0].work.id] = await self._settle(batch[0].work, error)
                return outcomes
            log.warning(
                "writing a batch of %d documents failed (%s: %s); writing them one by one",
                len(batch),
                type(error).__name__,
                error,
            )
            for one in batch:
                try:
                    await self._write([one], again=True)
                except Exception as alone:
                    outcomes[one.work.id] = await self._settle(one.work, alone)
        return outcomes

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

    async def _claim(
        self, document_ids: list[uuid.UUID], outcomes: dict[uuid.UUID, Exception | None]
    ) -> list[Claim]:
        """Take the leases and enter PARSING, where every attempt starts. A document not
        claimed is gone or final (nothing to do), or busy: its outcome is then LeaseHeld."""
        now = datetime.now(UTC)
        claims = await lifecycle.claim_many(document_ids, now, now + self._limits.lease)
        await self._events.publish_many(list(claims))
        for document_id in document_ids:
            if document_id in claims:
                continue
            current = await lifecycle.status(document_id)
            if current is not None and not current.is_final:
                outcomes[document_id] = LeaseHeld(
                    f"document {document_id} is being processed by another worker"
                )
        return list(claims.values())

    async def _settle(self, work: Claim, error: BaseException) -> Exception | None:
        """What an attempt's error means for its document: superseded (nothing), a permanent
        rejection (FAILED now), or anything else (the lease released, the error returned for
        the queue to retry)."""
        if not isinstance(error, Exception):
            raise error  # cancelled, or the interpreter stopping: not the document's doing
        with _about(work):
            if isinstance(error, _Superseded):
                log.info("document %s changed while ingesting; stopping", work.id)
                return None
            if isinstance(error, DocumentRejected):
                if not error.permanent:
                    await lifecycle.release(work, error.message, FailureCode.of(error.code))
                    return error
                await self._fail(work, FailureCode.of(error.code), error.message)
                return None
            await lifecycle.release(work, f"{type(error).__name__}: {error}", None)
            return error

    async def _parse(self, work: Claim) -> ExtractedDocument:
        """The document's text and chunks (PARSING was entered with the lease)."""
        with _about(work):
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
        return extracted

    async def _write(self, batch: list[_Parsed], again: bool) -> None:
        """Store, embed and index parsed documents together, and make them READY. `again`:
        an earlier try of this batch may have stored some of it already."""
        batch = await self._stage(batch, DocumentStatus.CHUNKING, 0.25)
        with _timed("chunk"):
            await self._save_chunks(batch, again)
        batch = await self._stage(batch, DocumentStatus.EMBEDDING, 0.3)
        with _timed("embed"):
            vectors = await self._embed(batch)
        batch = await self._stage(batch, DocumentStatus.INDEXING, 0.9)
        with _timed("index"):
            await self._index(batch, vectors, again)
        for older in [one.work for one in batch if one.work.version > 1]:
            for rows in (
                Chunk.filter(document_id=older.id),
                DocumentText.filter(document_id=older.id),
            ):
                await rows.exclude(version=older.version).delete()
        await self._finish(batch)

    async def _index(
        self, batch: list[_Parsed], vectors: dict[uuid.UUID, list[list[float]]], again: bool
    ) -> None:
        fresh: list[VectorRecord] = []
        known: list[VectorRecord] = []
        for one in batch:
            records = self._records(one.work, one.extracted.chunks, vectors[one.work.id])
            # Every attempt is counted when it takes the lease and every re-ingestion starts
            # a new version, so on a version's first attempt none of its ids can be stored: a
            # second attempt writes only once it holds the lease, and the INDEXING stage just
            # renewed ours for a whole lease (or found it taken, and stopped us). A batch
            # written again may have stored some already.
            (fresh if one.work.attempts == 1 and not again else known).extend(records)
        try:
            if fresh:
                await self._vectors.write(fresh, self._embedder.name, new=True)
            if known:
                await self._vectors.write(known, self._embedder.name, new=False)
            for one in batch:
                if one.work.version > 1:  # earlier versions' vectors go once the new ones are in
                    await self._vectors.delete_document(
                        one.work.organization_id, one.work.id, keep_version=one.work.version
                    )
        except Exception as error:
            # The document is not at fault: named as such, its failure can be retried.
            raise VectorStoreUnavailable(
                f"The vector store failed: {type(error).__name__}: {error}"
            ) from error

    async def _save_chunks(self, batch: list[_Parsed], again: bool) -> None:
        async with in_transaction():
            for one in batch:
                work = one.work
                if work.attempts > 1 or again:  # an earlier try may have saved some
                    await Chunk.filter(document_id=work.id, version=work.version).delete()
                    await DocumentText.filter(document_id=work.id, version=work.version).delete()
            await DocumentText.bulk_create(
                [
                    DocumentText(
                        id=uuid.uuid4(),
                        document_id=one.work.id,
                        version=one.work.version,
                        text=one.extracted.text,
                    )
                    for one in batch
                ]
            )
            await Chunk.bulk_create(
                [
                    Chunk(
                        id=chunk_id(one.work.id, one.work.version, draft.index),
                        document_id=one.work.id,
                        version=one.work.version,
                        index=draft.index,
                        text=draft.text,
                        start=draft.start,
                        end=draft.end,
                        page_start=draft.page_start,
                        page_end=draft.page_end,
                        heading_path=draft.heading_path,
                        token_count=draft.token_count,
                    )
                    for one in batch
                    for draft in one.extracted.chunks
                ],
                batch_size=500,
            )

    async def _embed(self, batch: list[_Parsed]) -> dict[uuid.UUID, list[list[float]]]:
        """Every chunk of the batch, `embedding_batch` at a time across documents; a document
        whose chunks span several calls reports its progress in between."""
        owners = [one for one in batch for _ in one.extracted.chunks]
        texts = [chunk.text for one in batch for chunk in one.extracted.chunks]
        vectors: list[list[float]] = []
        size = self._limits.embedding_batch
        for start in range(0, len(texts), size):
            vectors += await self._embedder.embed(texts[start : start + size])
            done = start + size
            if done >= len(texts):  # after the last call, INDEXING says it all
                break
            # The document with chunks on both sides of this call is part-way through; one
            # that changed under us meanwhile drops out at INDEXING.
            one = owners[done]
            if owners[done - 1] is one:
                ratio = (done - owners.index(one)) / len(one.extracted.chunks)
                lease_until = datetime.now(UTC) + self._limits.lease
                progress = {one.work: round(0.3 + 0.6 * ratio, 4)}
                if await lifecycle.stage_many(progress, DocumentStatus.EMBEDDING, lease_until):
                    await self._events.publish(one.work.id)
        by_document: dict[uuid.UUID, list[list[float]]] = {one.work.id: [] for one in batch}
        for one, vector in zip(owners, vectors, strict=True):
            by_document[one.work.id].append(vector)
        return by_document

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

    async def _stage(
        self, batch: list[_Parsed], status: DocumentStatus, progress: float
    ) -> list[_Parsed]:
        """Record progress and renew the leases; the documents that did not change under us
        (those that did drop out of the batch, stopped). Raises `_Superseded` when none is
        left."""
        lease_until = datetime.now(UTC) + self._limits.lease
        progress = round(progress, 4)
        held = await lifecycle.stage_many(
            {one.work: progress for one in batch}, status, lease_until
        )
        await self._events.publish_many([one.work.id for one in batch if one.work.id in held])
        for one in batch:
            if one.work.id not in held:
                with _about(one.work):
                    log.info("document %s changed while ingesting; stopping", one.work.id)
        kept = [one for one in batch if one.work.id in held]
        if not kept:
            raise _Superseded
        return kept

    async def _finish(self, batch: list[_Parsed]) -> None:
        now = datetime.now(UTC)
        counts = {one.work: (len(one.extracted.chunks), one.extracted.page_count) for one in batch}
        ready = await lifecycle.finish_many(counts, now)
        await self._events.publish_many(list(ready))
        for one in batch:
            with _about(one.work):
                if one.work.id in ready:
                    log.info("document ready: %d chunks", len(one.extracted.chunks))
                    continue
                # Deleted while we indexed: take our vectors back out so nothing is orphaned.
                if await lifecycle.status(one.work.id) is None:
                    await self._vectors.delete_document(one.work.organization_id, one.work.id)
                log.info("document %s changed while ingesting; stopping", one.work.id)

    async def _fail(self, work: Claim, code: FailureCode, message: str) -> None:
        if not await lifecycle.fail(work, code, message):
            log.info("document %s changed while ingesting; not failing it", work.id)
            return
        log.warning("document %s failed: %s %s", work.id, code, message)
        await self._events.publish(work.id)
