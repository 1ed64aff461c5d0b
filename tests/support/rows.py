"""Rows written straight to the database, for tests that start past upload and ingestion."""

import uuid

from domain.documents.models import Document, DocumentStatus
from domain.identity.models import User


async def document_row(user: User, status: DocumentStatus, **fields: object) -> Document:
    """A text document uploaded by `user`, in `status`, with `fields` set (a unique sha256, so
    rows never collide as duplicates)."""
    return await Document.create(
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
        **fields,
    )
