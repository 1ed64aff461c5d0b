"""Assistant queries: search, conversations and usage."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import strawberry

from api.assistant.types import Conversation, SearchHit, UsageReport, UserUsage
from api.context import Info
from api.errors import as_graphql_error
from api.moments import with_timezone
from api.pagination import AFTER, FIRST, Connection, paged
from api.permissions import admin_only, signed_in
from domain.assistant.usage import usage_since
from domain.errors import BeaconError


@strawberry.type
class AssistantQuery:
    """Find passages and revisit conversations."""

    @strawberry.field(
        description="Hybrid (BM25 + dense) search over the documents the caller may see.",
        extensions=signed_in(),
    )
    async def search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="Words or a question.")],
        first: Annotated[
            int | None, strawberry.argument(description="How many hits (1-100, default 10).")
        ] = 10,
    ) -> list[SearchHit]:
        """Best passages first."""
        try:
            results = await info.context.services.search.search(
                info.context.require_principal(), query, 10 if first is None else first
            )
        except BeaconError as error:
            raise as_graphql_error(error) from error
        return [SearchHit.from_result(result) for result in results]

    @strawberry.field(
        description="The caller's conversations, newest first (first <= 100).",
        extensions=signed_in(),
    )
    async def conversations(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[Conversation]:
        """A page of conversations."""
        principal = info.context.require_principal()
        return await paged(
            info.context.services.assistant.conversations(principal, first, after),
            Conversation.from_model,
        )

    @strawberry.field(
        description="One of the caller's conversations; null for any other id.",
        extensions=signed_in(),
    )
    async def conversation(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Conversation id.")],
    ) -> Conversation | None:
        """One conversation by id."""
        found = await info.context.services.assistant.conversation(
            info.context.require_principal(), str(id)
        )
        return Conversation.from_model(found) if found else None

    @strawberry.field(
        description="Questions and tokens of the organisation since a moment (default: 30 days).",
        extensions=admin_only(),
    )
    async def usage(
        self,
        info: Info,
        since: Annotated[
            datetime | None,
            strawberry.argument(description="Start of the period, with its timezone."),
        ] = None,
    ) -> UsageReport:
        """ADMIN only."""
        start = with_timezone(since, "since") or datetime.now(UTC) - timedelta(days=30)
        total, users = await usage_since(info.context.require_principal(), start)
        per_user = [
            UserUsage(
                questions=u.questions,
                prompt_tokens=u.prompt_tokens,
                completion_tokens=u.completion_tokens,
                _user_id=user_id,
            )
            for user_id, u in sorted(
                users.items(), key=lambda item: -(item[1].prompt_tokens + item[1].completion_tokens)
            )
        ]
        return UsageReport(
            questions=total.questions,
            prompt_tokens=total.prompt_tokens,
            completion_tokens=total.completion_tokens,
            since=start,
            users=per_user,
        )
