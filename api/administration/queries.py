"""Administration queries."""

from datetime import datetime
from typing import Annotated

import strawberry

from api.administration.types import AuditEvent, FeedbackEntry, IndexHealth
from api.assistant.types import Rating
from api.context import Info
from api.errors import as_graphql_error
from api.moments import with_timezone
from api.pagination import AFTER, FIRST, Connection, connection_from_page, paged
from api.permissions import admin_only
from domain.assistant import feedback
from domain.assistant import models as assistant_models
from domain.audit import log as audit
from domain.errors import BeaconError


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

    @strawberry.field(
        description="The organisation's audit trail, newest first (first <= 100).",
        extensions=admin_only(),
    )
    async def audit_log(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        action: Annotated[
            str | None, strawberry.argument(description="Only this action, e.g. user.login.")
        ] = None,
        actor_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this user's actions.")
        ] = None,
        since: Annotated[
            datetime | None,
            strawberry.argument(
                description="Only events at or after this moment (with its timezone)."
            ),
        ] = None,
    ) -> Connection[AuditEvent]:
        """A page of events."""
        principal = info.context.require_principal()
        return await paged(
            audit.page(
                principal,
                first,
                after,
                action=action,
                actor_id=None if actor_id is None else str(actor_id),
                since=with_timezone(since, "since"),
            ),
            AuditEvent.from_model,
        )

    @strawberry.field(
        description="Rated answers of the organisation, newest first (first <= 100).",
        extensions=admin_only(),
    )
    async def feedback(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        rating: Annotated[
            Rating | None, strawberry.argument(description="Only UP or only DOWN.")
        ] = None,
    ) -> Connection[FeedbackEntry]:
        """A page of ratings with their questions and answers."""
        principal = info.context.require_principal()
        wanted = assistant_models.Rating[rating.name] if rating else None
        try:
            rows = await feedback.page(principal, first, after, wanted)
        except BeaconError as error:
            raise as_graphql_error(error) from error
        questions = await feedback.questions_of([row.message for row in rows.items])

        def entry(row: assistant_models.Feedback) -> FeedbackEntry:
            return FeedbackEntry.from_model(row, questions)

        return connection_from_page(rows, entry)
