"""Administration queries."""

import strawberry

from api.administration.types import IndexHealth
from api.context import Info
from api.permissions import admin_only


@strawberry.type
class AdministrationQuery:
    """What ADMINs read about their organisation."""

    @strawberry.field(
        description="SQL against the vector store, for the caller's organisation.",
        extensions=admin_only(),
    )
    async def index_health(self, info: Info) -> IndexHealth:
        """Counts of documents, chunks and vectors."""
        principal = info.context.require_principal()
        return IndexHealth.from_report(await info.context.services.index_health.report(principal))
