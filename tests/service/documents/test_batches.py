"""Documents ingested together share each step's statement, embedder call and vector-store
write, yet each keeps its own lifecycle: every state is announced, a bad document fails alone,
and a batch cut short mid-way is finished by the next attempt with nothing lost or doubled."""

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.bootstrap import Services
from domain.documents.ingestion import IngestionLimits, IngestionService
from domain.documents.models import Chunk, Document, DocumentStatus, FailureCode
from domain.errors import CorruptDocument, VectorStoreUnavailable
from domain.identity.principal import Principal
from domain.notifications import InProcessNotifications
from domain.retrieval.spaces import ModelSpaces
from domain.retrieval.vectorstores.base import VectorRecord, VectorStore
from tests.support import documents as files
from tests.support.fake_services import Fakes
from tests.support.graphql import PASSWORD

EVERY_STATE = [
    DocumentStatus.PARSING,
    DocumentStatus.CHUNKING,
    DocumentStatus.EMBEDDING,
    DocumentStatus.INDEXING,
    DocumentStatus.READY,
]


class Announced(InProcessNotifications):
    """Notes, at each announcement, the state each announced document is in."""

    def __init__(self) -> None:
        super().__init__()
        self.states: dict[uuid.UUID, list[DocumentStatus]] = defaultdict(list)

    async def publish(self, key: uuid.UUID) -> None:
        await self.publish_many([key])

    async def publish_many(self, keys: Sequence[uuid.UUID]) -> None:
        for document_id, status in await Document.filter(id__in=keys).values_list("id", "status"):
            self.states[document_id].append(DocumentStatus(status))
        await super().publish_many(keys)


class CountingEmbedder:
    """The services' embedder, counting its calls; `stalled` makes every call wait forever."""

    def __init__(self, services: Services, stalled: bool = False) -> None:
        self._inner = services.embedder
        self.name = services.embedder.name
        self.dimensions = services.embedder.dimensions
        self.calls: list[int] = []
        self.stalled = stalled

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        if self.stalled:
            await asyncio.Event().wait()
        return await self._inner.embed(texts)


class RecordingVectors:
    """The services' vector store; each write's documents noted, and `refused`'s writes
    failing."""

    def __init__(self, inner: VectorStore, refused: uuid.UUID | None = None) -> None:
        self._inner = inner
        self.refused = refused
        self.writes: list[set[uuid.UUID]] = []

    def _check(self, records: Sequence[VectorRecord]) -> None:
        documents = {record.document_id for record in records}
        self.writes.append(documents)
        if self.refused in documents:
            raise ConnectionError("the store refused this document's vectors")

    async def add(self, records: Sequence[VectorRecord]) -> None:
        self._check(records)
        await self._inner.add(records)

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        self._check(records)
        await self._inner.upsert(records)

    async def delete_document(
        self, organization_id: uuid.UUID, document_id: uuid.UUID, keep_version: int | None = None
    ) -> None:
        await self._inner.delete_document(organization_id, document_id, keep_version)


def only_the_configured_model(model: str, dimensions: int) -> VectorStore:
    raise AssertionError(f"these documents' organisations need no other model ({model})")


def ingestion(
    services: Services,
    embedder: CountingEmbedder,
    vectors: RecordingVectors,
    events: InProcessNotifications,
) -> IngestionService:
    spaces = ModelSpaces(
        services.spaces.catalogue,
        only_the_configured_model,
        vectors,  # type: ignore[arg-type]  # the three writes ingestion makes
    )
    return IngestionService(
        services.files,
        services.extractor,
        embedder,  # type: ignore[arg-type]  # embed(), name and dimensions
        spaces,
        events,
        IngestionLimits(),
    )


async def uploaded(services: Services, tmp_path: Path, paths: list[Path]) -> list[uuid.UUID]:
    """The files stored and QUEUED (these services send no jobs: the test ingests)."""
    user = await services.identity.create_organization("Acme", "ops@example.com", PASSWORD)
    actor = Principal.of(user)
    ids = []
    for path in paths:

        async def content(path: Path = path) -> AsyncIterator[bytes]:
            yield path.read_bytes()

        ids.append((await services.documents.upload(actor, path.name, content())).document.id)
    return ids


def passages(tmp_path: Path, count: int) -> list[Path]:
    paths = []
    for number in range(count):
        path = tmp_path / f"passage-{number}.txt"
        path.write_text(f"Passage {number}: the office plants are watered on day {number}.\n")
        paths.append(path)
    return paths


async def test_a_batch_shares_its_embedder_call_and_vector_write_and_a_bad_file_fails_alone(
    services: Services, fakes: Fakes, tmp_path: Path
) -> None:
    good = passages(tmp_path, 5)
    broken = files.write_truncated_pdf(tmp_path)
    # As the parser finds it (tests/integration/documents/test_parsing.py).
    fakes.extractor.script(
        broken, CorruptDocument("The PDF is damaged or truncated and cannot be read.")
    )
    ids = await uploaded(services, tmp_path, [*good, broken])
    embedder = CountingEmbedder(services)
    vectors = RecordingVectors(services.vectors)
    events = Announced()

    outcomes = await ingestion(services, embedder, vectors, events).ingest_many(ids)

    assert outcomes == dict.fromkeys(ids)  # nothing for the queue to retry
    documents = {d.id: d for d in await Document.filter(id__in=ids)}
    *fine, bad = ids
    assert [documents[i].status for i in fine] == [DocumentStatus.READY] * 5
    assert (documents[bad].status, documents[bad].failure_code) == (
        DocumentStatus.FAILED,
        FailureCode.CORRUPT_FILE,
    )
    assert embedder.calls == [5]
    assert vectors.writes == [set(fine)]
    for document_id in fine:
        assert events.states[document_id] == EVERY_STATE
    assert events.states[bad] == [DocumentStatus.PARSING, DocumentStatus.FAILED]


async def test_a_document_whose_vectors_are_refused_fails_alone_and_its_neighbours_are_ready(
    services: Services, tmp_path: Path
) -> None:
    ids = await uploaded(services, tmp_path, passages(tmp_path, 4))
    refused = ids[2]
    vectors = RecordingVectors(services.vectors, refused=refused)
    service = ingestion(services, CountingEmbedder(services), vectors, Announced())

    outcomes = await service.ingest_many(ids)

    assert isinstance(outcomes[refused], VectorStoreUnavailable)
    assert [outcomes[i] for i in ids if i != refused] == [None] * 3
    documents = {d.id: d for d in await Document.filter(id__in=ids)}
    for document_id in ids:
        ready = document_id != refused
        assert (documents[document_id].status is DocumentStatus.READY) is ready
        assert await Chunk.filter(document_id=document_id).count() == 1
    # Released for the queue's retry, which then succeeds.
    assert documents[refused].lease_expires_at is None
    assert documents[refused].failure_code == FailureCode.VECTOR_STORE_UNAVAILABLE
    vectors.refused = None
    assert await service.ingest_many([refused]) == {refused: None}
    assert (await Document.get(id=refused)).status is DocumentStatus.READY
    organization = documents[refused].organization_id
    for document_id in ids:
        assert await services.vectors.count(organization, document_id) == 1


async def test_a_batch_cut_short_mid_way_is_finished_by_the_next_attempt_with_nothing_doubled(
    services: Services, tmp_path: Path
) -> None:
    ids = await uploaded(services, tmp_path, passages(tmp_path, 6))
    embedder = CountingEmbedder(services, stalled=True)
    vectors = RecordingVectors(services.vectors)
    service = ingestion(services, embedder, vectors, Announced())
    running = asyncio.create_task(service.ingest_many(ids))
    while not embedder.calls:  # noqa: ASYNC110 - waits on the task's progress, not a clock
        await asyncio.sleep(0.05)
    running.cancel()  # the worker dies holding the batch's leases
    await asyncio.gather(running, return_exceptions=True)
    embedding = await Document.filter(id__in=ids, status=DocumentStatus.EMBEDDING).count()
    assert embedding == len(ids)
    # Their leases run out; the sweeper's message reaches a new worker.
    await Document.filter(id__in=ids).update(lease_expires_at=datetime.now(UTC) - timedelta(1))
    embedder.stalled = False

    assert await service.ingest_many(ids) == dict.fromkeys(ids)

    for document in await Document.filter(id__in=ids):
        assert (document.status, document.attempts, document.chunk_count) == (
            DocumentStatus.READY,
            2,
            1,
        )
        assert await Chunk.filter(document_id=document.id).count() == 1
        count = await services.vectors.count(document.organization_id, document.id)
        assert count == 1


async def test_a_busy_document_in_a_batch_is_left_to_its_holder(
    services: Services, tmp_path: Path
) -> None:
    ids = await uploaded(services, tmp_path, passages(tmp_path, 3))
    busy = ids[0]
    later = datetime.now(UTC) + timedelta(minutes=5)
    await Document.filter(id=busy).update(status=DocumentStatus.PARSING, lease_expires_at=later)
    service = ingestion(
        services, CountingEmbedder(services), RecordingVectors(services.vectors), Announced()
    )

    outcomes = await service.ingest_many(ids)

    assert type(outcomes[busy]).__name__ == "LeaseHeld"
    assert [outcomes[i] for i in ids[1:]] == [None, None]
    assert (await Document.get(id=busy)).status is DocumentStatus.PARSING
