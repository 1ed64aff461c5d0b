"""Index health for an organisation's ADMINs: does what SQL says agree with the vector store?"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.functions import Count

from domain.documents.models import Chunk, Document, DocumentStatus
from domain.errors import PermissionDenied
from domain.identity.principal import Principal
from domain.retrieval.spaces import ModelSpaces


@dataclass(frozen=True)
class Reembedding:
    """`beacon reembed` filling another model's vectors for the organisation."""

    model: str
    dimensions: int
    vector_count: int  # stored so far; complete at about `chunk_count`


@dataclass(frozen=True)
class IndexHealth:
    """One organisation's index, as SQL and the vector store see it now."""

    vector_store: str
    embedding_model: str  # the organisation's: search reads its vectors
    dimensions: int
    configured_model: str  # new vectors' model; `beacon reembed` moves to it
    reembedding: Reembedding | None
    documents_by_status: dict[DocumentStatus, int]
    chunk_count: int  # chunk rows in SQL (only the current version's, once a document is READY)
    vector_count: int  # records in the vector store: equal to chunk_count when nothing drifted
    stuck_documents: int  # unfinished, and their worker's lease has run out


class IndexHealthService:
    """Counts, per organisation; `beacon reconcile` finds and repairs what these reveal."""

    def __init__(self, spaces: ModelSpaces, vector_store: str) -> None:
        self._spaces = spaces
        self._vector_store = vector_store

    async def report(self, actor: Principal) -> IndexHealth:
        """The caller's organisation's index health (ADMINs only)."""
        if not actor.is_admin:
            raise PermissionDenied("Only administrators can read index health.")
        organization_id = actor.organization_id
        models = await self._spaces.models(organization_id)
        catalogue = self._spaces.catalogue
        reembedding = None
        if models.target is not None:
            target = await self._spaces.store(models.target)
            reembedding = Reembedding(
                models.target,
                catalogue.dimensions(models.target),
                await target.count(organization_id),
            )
        active = await self._spaces.store(models.active)
        return IndexHealth(
            vector_store=self._vector_store,
            embedding_model=models.active,
            dimensions=catalogue.dimensions(models.active),
            configured_model=self._spaces.configured_model,
            reembedding=reembedding,
            documents_by_status=await _documents_by_status(organization_id),
            chunk_count=await Chunk.filter(document__organization_id=organization_id).count(),
            vector_count=await active.count(organization_id),
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
