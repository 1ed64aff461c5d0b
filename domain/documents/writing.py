"""Parsed documents' way to READY: their chunks stored, embedded and indexed, together.

The ingestion service (see `ingestion`) claims and parses documents; what it parsed comes here
as one batch, so a batch costs one insert of its chunks, one embedding call per
`embedding_batch` chunks, one vector-store write and one statement per stage. Each stage renews
the leases and drops the documents that changed under us meanwhile.
"""

import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from domain.documents import lifecycle
from domain.documents.extraction import ChunkDraft, ExtractedDocument
from domain.documents.lifecycle import Claim
from domain.documents.models import Chunk, DocumentStatus, DocumentText, chunk_id
from domain.errors import VectorStoreUnavailable
from domain.logs import log_context
from domain.metrics import METRICS
from domain.notifications import Notifications
from domain.retrieval.embedding import Embedder
from domain.retrieval.spaces import ModelSpaces
from domain.retrieval.vectorstores.base import VectorRecord
from domain.tracing import tracer

log = logging.getLogger("beacon.ingestion")


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """A span for the stage, and its duration observed, failed attempts included: they took
    the time too."""
    with (
        tracer.start_as_current_span(f"ingestion.{stage}"),
        METRICS.ingestion_stage_seconds.labels(stage).time(),
    ):
        yield


class Superseded(Exception):
    """The document was deleted or reindexed while we worked on it."""


@dataclass(frozen=True, eq=False)
class Parsed:
    """A claimed document and what parsing made of it (compared by identity)."""

    work: Claim
    extracted: ExtractedDocument


@contextmanager
def about(work: Claim) -> Iterator[None]:
    """Every line logged inside names the document and the attempt."""
    with log_context(document_id=str(work.id), attempt=work.attempts):
        yield


class Writer:
    """Stores, embeds and indexes parsed documents, and makes them READY."""

    def __init__(
        self,
        embedder: Embedder,
        vectors: ModelSpaces,
        events: Notifications,
        lease: timedelta,
        embedding_batch: int,
    ) -> None:
        self._embedder = embedder
        # Per embedding model: a write goes to every model the organisation needs.
        self._vectors = vectors
        self._events = events
        self._lease = lease
        self._embedding_batch = embedding_batch

    async def write(self, batch: list[Parsed], again: bool) -> None:
        """Store, embed and index parsed documents together, and make them READY. `again`:
        an earlier try of this batch may have stored some of it already."""
        batch = await self._stage(batch, DocumentStatus.CHUNKING, 0.25)
        with timed("chunk"):
            await self._save_chunks(batch, again)
        batch = await self._stage(batch, DocumentStatus.EMBEDDING, 0.3)
        with timed("embed"):
            vectors = await self._embed(batch)
        batch = await self._stage(batch, DocumentStatus.INDEXING, 0.9)
        with timed("index"):
            await self._index(batch, vectors, again)
        for older in [one.work for one in batch if one.work.version > 1]:
            for rows in (
                Chunk.filter(document_id=older.id),
                DocumentText.filter(document_id=older.id),
            ):
                await rows.exclude(version=older.version).delete()
        await self._finish(batch)

    async def _index(
        self, batch: list[Parsed], vectors: dict[uuid.UUID, list[list[float]]], again: bool
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

    async def _save_chunks(self, batch: list[Parsed], again: bool) -> None:
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

    async def _embed(self, batch: list[Parsed]) -> dict[uuid.UUID, list[list[float]]]:
        """Every chunk of the batch, `embedding_batch` at a time across documents; a document
        whose chunks span several calls reports its progress in between."""
        owners = [one for one in batch for _ in one.extracted.chunks]
        texts = [chunk.text for one in batch for chunk in one.extracted.chunks]
        vectors: list[list[float]] = []
        size = self._embedding_batch
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
                lease_until = datetime.now(UTC) + self._lease
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
                visibility=work.visibility,
                owner_id=work.owner_id,
                text=chunk.text,
                vector=vector,
                page=chunk.page_start,
                heading_path=chunk.heading_path,
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]

    async def _stage(
        self, batch: list[Parsed], status: DocumentStatus, progress: float
    ) -> list[Parsed]:
        """Record progress and renew the leases; the documents that did not change under us
        (those that did drop out of the batch, stopped). Raises `Superseded` when none is
        left."""
        lease_until = datetime.now(UTC) + self._lease
        progress = round(progress, 4)
        held = await lifecycle.stage_many(
            {one.work: progress for one in batch}, status, lease_until
        )
        await self._events.publish_many([one.work.id for one in batch if one.work.id in held])
        for one in batch:
            if one.work.id not in held:
                with about(one.work):
                    log.info("document %s changed while ingesting; stopping", one.work.id)
        kept = [one for one in batch if one.work.id in held]
        if not kept:
            raise Superseded
        return kept

    async def _finish(self, batch: list[Parsed]) -> None:
        now = datetime.now(UTC)
        counts = {one.work: (len(one.extracted.chunks), one.extracted.page_count) for one in batch}
        ready = await lifecycle.finish_many(counts, now)
        await self._events.publish_many(list(ready))
        for one in batch:
            with about(one.work):
                if one.work.id in ready:
                    log.info("document ready: %d chunks", len(one.extracted.chunks))
                    continue
                # Deleted while we indexed: take our vectors back out so nothing is orphaned.
                if await lifecycle.status(one.work.id) is None:
                    await self._vectors.delete_document(one.work.organization_id, one.work.id)
                log.info("document %s changed while ingesting; stopping", one.work.id)
