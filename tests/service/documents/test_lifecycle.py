"""An attempt's writes to its document row hold only while it is the document's latest attempt
and the document is unfinished: a slow attempt cannot write over its successor."""

import uuid
from datetime import UTC, datetime, timedelta

from domain.bootstrap import Services
from domain.documents import lifecycle
from domain.documents.lifecycle import Claim
from domain.documents.models import Document, DocumentStatus, FailureCode
from tests.service.documents.factories import document


async def claimed(document_id: uuid.UUID, lease: timedelta) -> Claim:
    now = datetime.now(UTC)
    work = await lifecycle.claim(document_id, now, now + lease)
    assert work is not None
    return work


async def writes_of(work: Claim) -> list[bool]:
    """Every write an attempt can make, in the order the pipeline makes them."""
    later = datetime.now(UTC) + timedelta(minutes=5)
    return [
        await lifecycle.renew(work, later),
        await lifecycle.stage(work, DocumentStatus.CHUNKING, 0.25, later),
        await lifecycle.release(
            work, "ConnectionError: store unreachable", FailureCode.VECTOR_STORE_UNAVAILABLE
        ),
        await lifecycle.fail(work, FailureCode.CORRUPT_FILE, "The file is damaged."),
        await lifecycle.finish(work, 3, None, datetime.now(UTC)),
    ]


async def test_an_attempt_whose_lease_was_taken_over_can_no_longer_write(
    services: Services,
) -> None:
    document_id = await document(services, DocumentStatus.QUEUED)
    stale = await claimed(document_id, lease=-timedelta(seconds=1))  # its worker went silent
    current = await claimed(document_id, lease=timedelta(minutes=2))
    before = await Document.get(id=document_id)

    assert await writes_of(stale) == [False] * 5
    after = await Document.get(id=document_id)
    assert (after.status, after.attempts, after.lease_expires_at, after.failure_message) == (
        before.status,
        before.attempts,
        before.lease_expires_at,
        before.failure_message,
    )
    assert (after.status, after.attempts) == (DocumentStatus.PARSING, current.attempts)


async def test_an_attempt_cannot_write_to_a_document_that_is_final(services: Services) -> None:
    document_id = await document(services, DocumentStatus.QUEUED)
    work = await claimed(document_id, lease=timedelta(minutes=2))
    assert await lifecycle.finish(work, 3, None, datetime.now(UTC))

    assert await writes_of(work) == [False] * 5
    ready = await Document.get(id=document_id)
    assert (ready.status, ready.chunk_count, ready.failure_code) == (DocumentStatus.READY, 3, None)


async def test_a_renewal_extends_the_lease_of_the_current_attempt(services: Services) -> None:
    document_id = await document(services, DocumentStatus.QUEUED)
    work = await claimed(document_id, lease=timedelta(seconds=10))
    later = datetime.now(UTC) + timedelta(minutes=5)

    assert await lifecycle.renew(work, later)
    renewed = await Document.get(id=document_id)
    assert renewed.lease_expires_at is not None
    assert abs((renewed.lease_expires_at - later).total_seconds()) < 0.001
    assert (renewed.status, renewed.attempts) == (DocumentStatus.PARSING, 1)
