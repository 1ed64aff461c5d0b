"""Attempts at one document that overlap: a second worker, a stalled attempt, a superseded
one, an attempt held in the parser past its lease. (Faults that need the queue and its worker
are in tests/e2e/documents/test_faults.py.)"""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise.expressions import F

from domain.bootstrap import Services
from domain.documents.extraction import ExtractedDocument
from domain.documents.ingestion import LeaseHeld
from domain.documents.kinds import DocumentKind
from domain.documents.models import Chunk, Document, DocumentStatus, DocumentText
from domain.settings import Settings
from tests.fakes.extractors import ParagraphExtractor
from tests.support import documents as files
from tests.support.fake_services import Fakes
from tests.support.graphql import GraphQLClient


class HeldParser(ParagraphExtractor):
    """The fake parser, holding each document (or the first `holds`) until the test lets it go."""

    def __init__(self, holds: int | None = None) -> None:
        super().__init__()
        self.holds = holds
        self.calls = 0
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    async def extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        self.calls += 1
        if self.holds is None or self.calls <= self.holds:
            self.reached.set()
            await self.release.wait()
        return await super().extract(path, kind)


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The lease a test's attempts take: 30 s, unless the test gives its own."""
    lease = getattr(request, "param", 30)
    return settings.model_copy(update={"ingest_lease_seconds": lease})


@pytest.fixture
def fakes() -> Fakes:
    """No worker runs the queued jobs: each test runs the attempts it needs itself."""
    return Fakes(extractor=HeldParser())


def held(fakes: Fakes) -> HeldParser:
    assert isinstance(fakes.extractor, HeldParser)
    return fakes.extractor


async def test_a_second_worker_backs_off_while_the_first_holds_the_lease(
    client: GraphQLClient, services: Services, fakes: Fakes, tmp_path: Path
) -> None:
    held(fakes).release.set()  # nothing held
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_text(tmp_path))
    document_id = uuid.UUID(uploaded["document"]["id"])
    ingestion = services.ingestion
    results = await asyncio.gather(
        ingestion.ingest(document_id), ingestion.ingest(document_id), return_exceptions=True
    )
    document = await Document.get(id=document_id)
    assert sum(isinstance(r, LeaseHeld) for r in results) == 1
    assert sum(r is None for r in results) == 1
    assert document.status is DocumentStatus.READY
    assert document.attempts == 1


async def test_a_stalled_document_restarts_at_parsing_as_its_lease_is_taken(
    client: GraphQLClient, services: Services, fakes: Fakes, tmp_path: Path
) -> None:
    parser = held(fakes)
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_text(tmp_path))
    document_id = uuid.UUID(uploaded["document"]["id"])
    # As if an earlier worker died while embedding.
    await Document.filter(id=document_id).update(status=DocumentStatus.EMBEDDING, progress=0.5)
    async with services.events.subscribe(document_id) as changes:
        ingesting = asyncio.create_task(services.ingestion.ingest(document_id))
        await asyncio.wait_for(parser.reached.wait(), 30)
        assert await changes.wait(1)
        document = await Document.get(id=document_id)
        parser.release.set()
        await ingesting
    finished = await Document.get(id=document_id)
    assert (document.status, document.progress, document.attempts) == (
        DocumentStatus.PARSING,
        0.05,
        1,
    )
    assert document.lease_expires_at is not None
    assert finished.status is DocumentStatus.READY


@pytest.mark.parametrize("settings", [3], indirect=True, ids=["lease of 3 s"])
async def test_a_document_held_in_the_parser_past_its_lease_keeps_it(
    client: GraphQLClient, services: Services, fakes: Fakes, tmp_path: Path
) -> None:
    parser = held(fakes)
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_text(tmp_path))
    document_id = uuid.UUID(uploaded["document"]["id"])
    ingestion = services.ingestion
    ingesting = asyncio.create_task(ingestion.ingest(document_id))
    await asyncio.wait_for(parser.reached.wait(), 30)
    claimed = await Document.get(id=document_id)
    assert claimed.lease_expires_at is not None
    # Past the lease the claim took: only renewals keep a second attempt from starting.
    await asyncio.sleep((claimed.lease_expires_at - datetime.now(UTC)).total_seconds() + 0.5)
    with pytest.raises(LeaseHeld):
        await asyncio.wait_for(ingestion.ingest(document_id), 30)
    parser.release.set()
    await ingesting
    finished = await Document.get(id=document_id)
    assert (finished.status, finished.attempts) == (DocumentStatus.READY, 1)


@pytest.mark.parametrize("settings", [2], indirect=True, ids=["lease of 2 s"])
async def test_an_attempt_superseded_while_in_the_parser_stops_parsing(
    client: GraphQLClient, services: Services, fakes: Fakes, tmp_path: Path
) -> None:
    parser = held(fakes)  # never released: only the attempt's own renewal can end it
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_text(tmp_path))
    document_id = uuid.UUID(uploaded["document"]["id"])
    ingesting = asyncio.create_task(services.ingestion.ingest(document_id))
    await asyncio.wait_for(parser.reached.wait(), 30)
    # As if another worker had taken the document over with a second attempt.
    await Document.filter(id=document_id).update(attempts=F("attempts") + 1)
    await asyncio.wait_for(ingesting, 30)
    document = await Document.get(id=document_id)
    chunks = await Chunk.filter(document_id=document_id).count()
    assert (document.status, document.attempts, chunks) == (DocumentStatus.PARSING, 2, 0)


async def test_two_overlapping_attempts_end_in_one_ready_document(
    client: GraphQLClient, services: Services, fakes: Fakes, tmp_path: Path
) -> None:
    parser = held(fakes)
    parser.holds = 1
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_markdown(tmp_path))
    document_id = uuid.UUID(uploaded["document"]["id"])
    ingestion = services.ingestion
    first = asyncio.create_task(ingestion.ingest(document_id))
    await asyncio.wait_for(parser.reached.wait(), 30)
    # The first attempt's worker falls silent for longer than its lease (a stalled process,
    # a lost connection), so the next message starts a second attempt, which completes.
    expired = datetime.now(UTC) - timedelta(seconds=1)
    await Document.filter(id=document_id).update(lease_expires_at=expired)
    await ingestion.ingest(document_id)
    ready = await Document.get(id=document_id)
    parser.release.set()  # the first attempt wakes up and carries on
    await first
    after = await Document.get(id=document_id)
    org = uuid.UUID(admin.organization_id)
    stored_vectors = await fakes.vectors.count(org, document_id)
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
    assert len(fakes.vectors.writes) == 1  # the second attempt's; the first wrote none
    assert chunk_rows == stored_vectors == after.chunk_count > 0
    assert texts == 1
