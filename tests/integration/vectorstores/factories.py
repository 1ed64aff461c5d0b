"""Records, principals and small deterministic vectors for the vector-store tests."""

import math
import uuid
from collections.abc import Sequence

from domain.retrieval.vectorstores.base import Access, VectorRecord
from domain.visibility import Visibility

DIMENSIONS = 8

ORG = uuid.UUID("0a000000-0000-4000-8000-000000000001")
OTHER_ORG = uuid.UUID("0b000000-0000-4000-8000-000000000002")
OWNER = uuid.UUID("0c000000-0000-4000-8000-000000000003")
COLLEAGUE = uuid.UUID("0d000000-0000-4000-8000-000000000004")
ADMIN = uuid.UUID("0e000000-0000-4000-8000-000000000005")

AS_OWNER = Access(organization_id=ORG, user_id=OWNER, is_admin=False)
AS_COLLEAGUE = Access(organization_id=ORG, user_id=COLLEAGUE, is_admin=False)
AS_ADMIN = Access(organization_id=ORG, user_id=ADMIN, is_admin=True)
AS_OTHER_ORG_ADMIN = Access(organization_id=OTHER_ORG, user_id=ADMIN, is_admin=True)


def axis(i: int, weight: float = 1.0) -> list[float]:
    """A vector pointing along axis `i`."""
    vector = [0.0] * DIMENSIONS
    vector[i % DIMENSIONS] = weight
    return vector


def toward(i: int, j: int, angle: float) -> list[float]:
    """A unit vector `angle` radians from axis `i`, tilted toward axis `j`."""
    vector = [0.0] * DIMENSIONS
    vector[i] += math.cos(angle)
    vector[j] += math.sin(angle)
    return vector


def record(
    document_id: uuid.UUID,
    index: int = 0,
    *,
    version: int = 1,
    organization_id: uuid.UUID = ORG,
    owner_id: uuid.UUID = OWNER,
    visibility: Visibility = Visibility.ORGANIZATION,
    text: str = "a chunk of text",
    vector: Sequence[float] | None = None,
    page: int | None = None,
    heading_path: list[str] | None = None,
) -> VectorRecord:
    """A chunk record, its id derived as ingestion derives it (uuid5 of document and place)."""
    return VectorRecord(
        id=uuid.uuid5(document_id, f"{version}:{index}"),
        organization_id=organization_id,
        document_id=document_id,
        version=version,
        chunk_index=index,
        visibility=visibility,
        owner_id=owner_id,
        text=text,
        vector=list(vector) if vector is not None else axis(index),
        page=page,
        heading_path=heading_path or [],
    )
