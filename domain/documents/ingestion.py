"""The ingestion pipeline: QUEUED → PARSING → CHUNKING → EMBEDDING → INDEXING → READY | FAILED.

Every step is idempotent and guarded by a lease on the document row, so a retry, a
duplicate message or two workers at once end in one final state. Chunk and vector ids
are derived from (document, version, index), so repeating a step overwrites, never adds.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from domain.documents.events import DocumentEvents
from domain.documents.extraction import ChunkDraft, ExtractedDocument
from domain.documents.kinds import DocumentKind
from domain.documents.models import Chunk, Document, DocumentStatus, DocumentText, chunk_id
from domain.documents.services import storage_key
from domain.documents.storage import FileStore
from domain.errors import DocumentRejected
from domain.retrieval.embedding import Embedder
from domain.retrieval.vectorstores.base import VectorRecord, VectorStore

log = logging.getLogger("beacon.ingestion")

_UNFINISHED = [s for s in DocumentStatus if not s.is_final]


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


class IngestionService:
    """Turns stored files into searchable chunks."""

    def __init__(
        self,
        files: FileStore,
        extractor: Extractor,
        embedder: Embedder,
        vectors: VectorStore,
        events: DocumentEvents,
        limits: IngestionLimits,
    ) -> None:
        self._files = files
        self._extractor = extractor
        self._embedder = embedder
        self._vectors = vectors
        self._events = events
        self._limits = limits

    async def ingest(self, document_id: uuid.UUID) -> None:
        """Bring the document's current version to READY or FAILED.

        Permanent problems (a corrupt file...) fail the document at once. Anything else is
        raised for the queue to retry; the attempt is counted when the lease is taken, so a
        worker killed mid-document counts too, and the document fails after `max_attempts`.
        """
        document = await self._claim(document_id)
        if document is None:
            return
        if document.attempts > self._limits.max_attempts:
            reason = document.failure_message or "the worker stopped while processing it"
            await self._fail(
                document,
                "TOO_MANY_ATTEMPTS",
                f"Processing failed {document.attempts - 1} times; last error: {reason}",
            )
            return
        try:
            await self._run(document)
        except _Superseded:
            log.info("document %s changed while ingesting; stopping", document_id)
        except DocumentRejected as error:
            if not error.permanent:
                await self._release(document, error.message)
                raise
            await self._fail(document, error.code, error.message)
        except Exception as error:
            await self._release(document, f"{type(error).__name__}: {error}")
            raise

    async def purge(self, document_id: uuid.UUID, organization_id: uuid.UUID, key: str) -> None:
        """Remove a deleted document's vectors and file (idempotent)."""
        await self._vectors.delete_document(organization_id, document_id)
        self._files.delete(key)

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

    async def _claim(self, document_id: uuid.UUID) -> Document | None:
        """Take the lease and enter PARSING, where every attempt starts; or say why not:
        gone or final (None), or busy (LeaseHeld)."""
        now = datetime.now(UTC)
        claimed = await (
            Document.filter(id=document_id, status__in=_UNFINISHED)
            .filter(Q(lease_expires_at=None) | Q(lease_expires_at__lt=now))
            .update(
                lease_expires_at=now + self._limits.lease,
                attempts=F("attempts") + 1,
                status=DocumentStatus.PARSING,
                progress=0.05,
            )
        )
        current = await Document.get_or_none(id=document_id)
        if claimed:
            await self._events.publish(document_id)
        if claimed or current is None or current.status.is_final:
            return current if claimed else None
        raise LeaseHeld(f"document {document_id} is being processed by another worker")

    async def _run(self, document: Document) -> None:
        # PARSING was entered with the lease (see _claim).
        path = self._files.path(storage_key(document.id))
        if not path.exists():
            raise DocumentRejected("The stored file is missing.")
        extracted = await self._extractor.extract(path, document.kind)
        await self._stage(document, DocumentStatus.CHUNKING, 0.25)
        await self._save_chunks(document, extracted)
        await self._stage(document, DocumentStatus.EMBEDDING, 0.3)
        vectors = await self._embed(document, extracted.chunks)
        await self._stage(document, DocumentStatus.INDEXING, 0.9)
        records = self._records(document, extracted.chunks, vectors)
        if document.attempts == 1:
            # Every attempt is counted when it takes the lease and every re-ingestion starts
            # a new version, so on a version's first attempt none of its ids can be stored.
            await self._vectors.add(records)
        else:
            await self._vectors.upsert(records)
        if document.version > 1:  # earlier versions' vectors go once the new ones are in
            await self._vectors.delete_document(
                document.organization_id, document.id, keep_version=document.version
            )
        if document.version > 1:
            for older in (
                Chunk.filter(document_id=document.id),
                DocumentText.filter(document_id=document.id),
            ):
                await older.exclude(version=document.version).delete()
        await self._finish(document, extracted)

    async def _save_chunks(self, document: Document, extracted: ExtractedDocument) -> None:
        async with in_transaction():
            if document.attempts > 1:  # an earlier attempt at this version may have saved some
                await Chunk.filter(document_id=document.id, version=document.version).delete()
                await DocumentText.filter(
                    document_id=document.id, version=document.version
                ).delete()
            await DocumentText.create(
                document_id=document.id, version=document.version, text=extracted.text
            )
            await Chunk.bulk_create(
                [
                    Chunk(
                        id=chunk_id(document.id, document.version, draft.index),
                        document_id=document.id,
                        version=document.version,
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

    async def _embed(self, document: Document, chunks: Sequence[ChunkDraft]) -> list[list[float]]:
        vectors: list[list[float]] = []
        size = self._limits.embedding_batch
        for start in range(0, len(chunks), size):
            batch = chunks[start : start + size]
            vectors += await self._embedder.embed([chunk.text for chunk in batch])
            if start + size < len(chunks):  # after the last batch, INDEXING says it all
                done = (start + size) / len(chunks)
                await self._stage(document, DocumentStatus.EMBEDDING, 0.3 + 0.6 * done)
        return vectors

    def _records(
        self, document: Document, chunks: Sequence[ChunkDraft], vectors: Sequence[list[float]]
    ) -> list[VectorRecord]:
        return [
            VectorRecord(
                id=chunk_id(document.id, document.version, chunk.index),
                organization_id=document.organization_id,
                document_id=document.id,
                version=document.version,
                chunk_index=chunk.index,
                visibility=document.visibility.value,
                owner_id=document.uploaded_by_id,
                text=chunk.text,
                vector=vector,
                page=chunk.page_start,
                heading_path=chunk.heading_path,
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]

    async def _stage(self, document: Document, status: DocumentStatus, progress: float) -> None:
        """Record progress and renew the lease; stop if the document changed under us."""
        updated = await Document.filter(id=document.id, version=document.version).update(
            status=status,
            progress=round(progress, 4),
            lease_expires_at=datetime.now(UTC) + self._limits.lease,
        )
        if not updated:
            raise _Superseded
        await self._events.publish(document.id)

    async def _finish(self, document: Document, extracted: ExtractedDocument) -> None:
        updated = await Document.filter(id=document.id, version=document.version).update(
            status=DocumentStatus.READY,
            progress=1.0,
            chunk_count=len(extracted.chunks),
            page_count=extracted.page_count,
            failure_code=None,
            failure_message=None,
            lease_expires_at=None,
            ready_at=datetime.now(UTC),
        )
        if not updated:
            # Deleted while we indexed: take our vectors back out so nothing is orphaned.
            if not await Document.exists(id=document.id):
                await self._vectors.delete_document(document.organization_id, document.id)
            raise _Superseded
        await self._events.publish(document.id)

    async def _fail(self, document: Document, code: str, message: str) -> None:
        await Document.filter(id=document.id, version=document.version).update(
            status=DocumentStatus.FAILED,
            failure_code=code,
            failure_message=message[:2000],
            lease_expires_at=None,
        )
        log.warning("document %s failed: %s %s", document.id, code, message)
        await self._events.publish(document.id)

    async def _release(self, document: Document, reason: str) -> None:
        """Let the next attempt start at once, remembering why this one failed."""
        await Document.filter(id=document.id, version=document.version).update(
            lease_expires_at=None, failure_message=reason[:2000]
        )
