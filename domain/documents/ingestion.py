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
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from tortoise.expressions import Q
from tortoise.functions import Count

from domain.documents import lifecycle
from domain.documents.extraction import ExtractedDocument, Extractor
from domain.documents.filestores.base import FileStore, StoredFileMissing
from domain.documents.lifecycle import Claim
from domain.documents.models import Document, DocumentStatus, FailureCode
from domain.documents.services import storage_key
from domain.documents.writing import Parsed, Superseded, Writer, about, timed
from domain.errors import DocumentRejected, DocumentTooLarge, FileMissing
from domain.metrics import METRICS
from domain.notifications import Notifications
from domain.retrieval.embedding import Embedder
from domain.retrieval.spaces import ModelSpaces

log = logging.getLogger("beacon.ingestion")

_UNFINISHED = [s for s in DocumentStatus if not s.is_final]
# How often, in fractions of the lease, a long step renews it: twice more before it runs out.
_RENEWALS_PER_LEASE = 3

T = TypeVar("T")


class LeaseHeld(Exception):
    """Another worker is processing the document right now; try again later."""


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
        self._vectors = vectors
        self._events = events
        self._limits = limits
        self._writer = Writer(embedder, vectors, events, limits.lease, limits.embedding_batch)

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
                with about(work):
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
        batch: list[Parsed] = []
        for work, result in zip(runnable, parsed, strict=True):
            if isinstance(result, BaseException):
                outcomes[work.id] = await self._settle(work, result)
            else:
                batch.append(Parsed(work, result))
        if not batch:
            return outcomes
        try:
            await self._writer.write(batch, again=False)
        except Superseded:
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
                    await self._writer.write([one], again=True)
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
        with about(work):
            if isinstance(error, Superseded):
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
        with about(work):
            try:
                with timed("parse"):
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
                    raise Superseded
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

    async def _fail(self, work: Claim, code: FailureCode, message: str) -> None:
        if not await lifecycle.fail(work, code, message):
            log.info("document %s changed while ingesting; not failing it", work.id)
            return
        log.warning("document %s failed: %s %s", work.id, code, message)
        await self._events.publish(work.id)
