"""Document rows in any state, without going through upload and ingestion."""

import uuid

from domain.bootstrap import Services
from domain.documents.models import Document, DocumentStatus
from tests.support.graphql import PASSWORD
from tests.support.rows import document_row


async def document(services: Services, status: DocumentStatus, **fields: object) -> uuid.UUID:
    """A text document of a new organisation, in `status`, with `fields` set afterwards."""
    user = await services.identity.create_organization(
        f"Org {uuid.uuid4().hex[:6]}", f"{uuid.uuid4().hex[:8]}@example.com", PASSWORD
    )
    created = await document_row(user, status)
    if fields:
        await Document.filter(id=created.id).update(**fields)
    return created.id
