"""Which documents the sweeper queues again."""

import uuid
from datetime import UTC, datetime, timedelta

from domain.bootstrap import Services
from domain.documents.models import Document, DocumentStatus
from tests.support.graphql import PASSWORD


async def document(services: Services, status: DocumentStatus, **fields: object) -> uuid.UUID:
    user = await services.identity.create_organization(
        f"Org {uuid.uuid4().hex[:6]}", f"{uuid.uuid4().hex[:8]}@example.com", PASSWORD
    )
    created = await Document.create(
        id=uuid.uuid4(),
        organization_id=user.organization_id,
        uploaded_by_id=user.id,
        title="t",
        filename="t.txt",
        kind="text",
        size_bytes=1,
        sha256=uuid.uuid4().hex,
        dedupe_scope="organization",
        status=status,
    )
    if fields:
        await Document.filter(id=created.id).update(**fields)
    return created.id


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
