"""Index health for an organisation's ADMINs: does what SQL says agree with the vector store?"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.functions import Count

from domain.documents.models import Chunk, Document, DocumentStatus
from domain.errors import PermissionDenied
from domain.identity.principal import Principal
from domain.retrieval.vectorstores.base import VectorStore


@dataclass(frozen=True)
class IndexHealth:
    """One organisation's index, as SQL and the vector store see it now."""

    vector_store: str
    embedding_model: str
    dimensions: int
    documents_by_status: dict[DocumentStatus, int]
    chunk_count: int  # chunk rows in SQL (only the current version's, once a document is READY)
    vector_count: int  # records in the vector store: equal to chunk_count when nothing drifted
    stuck_documents: int  # unfinished, and their worker's lease has run out


class IndexHealthService:
    """Counts, per organisation; `beacon reconcile` finds and repairs what these reveal."""

    def __init__(
        self, vectors: VectorStore, vector_store: str, embedding_model: str, dimensions: int
    ) -> None:
        self._vectors = vectors
        self._vector_store = vector_store
        self._embedding_model = embedding_model
        self._dimensions = dimensions

    async def report(self, actor: Principal) -> IndexHealth:
        """The caller's organisation's index health (ADMINs only)."""
        if not actor.is_admin:
            raise PermissionDenied("Only administrators can read index health.")
        organization_id = actor.organization_id
        return IndexHealth(
            vector_store=self._vector_store,
            embedding_model=self._embedding_model,
            dimensions=self._dimensions,
            documents_by_status=await _documents_by_status(organization_id),
            chunk_count=await Chunk.filter(document__organization_id=organization_id).count(),
            vector_count=await self._vectors.count(organization_id),
            stuck_documents=await Document.filter(
                organization_id=organization_id,
                status__not_in=[DocumentStatus.READY, DocumentStatus.FAILED],
                lease_expires_at__lt=datetime.now(UTC),
            ).count(),
        )


async def _documents_by_status(organization_id: uuid.UUID) -> dict[DocumentStatus, int]:
    rows = (
        await Document.filter(organization_id=organization_id)
        .annotate(count=Count("id"))
        .group_by("status")
        .values("status", "count")
    )
    counted = {DocumentStatus(row["status"]): int(row["count"]) for row in rows}
    # Every status, in lifecycle order, zeros included: a dashboard reads a fixed shape.
    return {status: counted.get(status, 0) for status in DocumentStatus}
