"""Document rows in any state, without going through upload and ingestion."""

import uuid

from domain.bootstrap import Services
from domain.documents.models import Document, DocumentStatus
from tests.support.graphql import PASSWORD


async def document(services: Services, status: DocumentStatus, **fields: object) -> uuid.UUID:
    """A text document of a new organisation, in `status`, with `fields` set afterwards."""
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
