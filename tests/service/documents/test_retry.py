"""Which FAILED documents an upload of the same file queues again."""

import asyncio
import uuid

from domain.bootstrap import Services
from domain.documents.models import Document, DocumentStatus, FailureCode
from domain.documents.services import start_new_version
from tests.service.documents.factories import document


async def failed_document(services: Services, code: FailureCode) -> uuid.UUID:
    return await document(
        services,
        DocumentStatus.FAILED,
        failure_code=code,
        failure_message="Processing failed 3 times; last error: ...",
        attempts=4,
    )


async def test_only_a_transient_failure_is_queued_again(services: Services) -> None:
    retried = {
        code: await start_new_version(
            await failed_document(services, code), only_after_transient_failure=True
        )
        for code in FailureCode
    }
    assert {code for code, again in retried.items() if again} == {
        FailureCode.VECTOR_STORE_UNAVAILABLE,
        FailureCode.TRANSIENT_FAILURE,
    }


async def test_two_uploads_retrying_one_failure_start_one_version(services: Services) -> None:
    document_id = await failed_document(services, FailureCode.VECTOR_STORE_UNAVAILABLE)
    outcomes = await asyncio.gather(
        *(start_new_version(document_id, only_after_transient_failure=True) for _ in range(2))
    )
    document = await Document.get(id=document_id)
    assert sorted(outcomes) == [False, True]
    assert (document.status, document.version, document.attempts) == (DocumentStatus.QUEUED, 2, 0)
    assert (document.failure_code, document.failure_message) == (None, None)
