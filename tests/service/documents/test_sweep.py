"""Which documents the sweeper queues again."""

from datetime import UTC, datetime, timedelta

from domain.bootstrap import Services
from domain.documents.models import DocumentStatus
from tests.service.documents.factories import document


async def test_a_document_whose_worker_went_silent_is_always_queued_again(
    services: Services,
) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    stalled = await document(services, DocumentStatus.EMBEDDING, lease_expires_at=past)
    busy = await document(
        services, DocumentStatus.EMBEDDING, lease_expires_at=past + timedelta(hours=1)
    )
    for waiting in (True, False):
        found = await services.ingestion.unfinished(waiting=waiting)
        assert stalled in found and busy not in found


async def test_an_old_queued_document_counts_only_once_the_queue_is_empty(
    services: Services,
) -> None:
    old = datetime.now(UTC) - timedelta(hours=1)
    waiting_long = await document(services, DocumentStatus.QUEUED, updated_at=old)
    just_queued = await document(services, DocumentStatus.QUEUED)
    assert waiting_long in await services.ingestion.unfinished(waiting=True)
    assert just_queued not in await services.ingestion.unfinished(waiting=True)
    assert waiting_long not in await services.ingestion.unfinished(waiting=False)


async def test_after_a_restart_every_unfinished_document_is_queued_again(
    services: Services,
) -> None:
    queued = await document(services, DocumentStatus.QUEUED)
    parsing = await document(services, DocumentStatus.PARSING)
    ready = await document(services, DocumentStatus.READY)
    found = await services.ingestion.unfinished(everything=True)
    assert {queued, parsing} <= set(found)
    assert ready not in found
