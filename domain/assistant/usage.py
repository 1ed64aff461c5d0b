"""What an organisation's questions cost: questions and tokens, in all and per user."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count, Sum

from domain.assistant.models import Message, MessageRole
from domain.identity.principal import Principal


@dataclass(frozen=True)
class Usage:
    """Questions asked and tokens spent."""

    questions: int
    prompt_tokens: int
    completion_tokens: int


async def usage_since(actor: Principal, since: datetime) -> tuple[Usage, dict[uuid.UUID, Usage]]:
    """ADMIN view: the organisation's usage since a moment, in all and per user."""
    rows = await (
        Message.filter(organization_id=actor.organization_id, created_at__gte=since)
        .group_by("user_id", "role")
        .annotate(
            count=Count("id"), prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens")
        )
        .values("user_id", "role", "count", "prompt", "completion")
    )
    per_user: dict[uuid.UUID, list[int]] = {}
    for row in rows:
        totals = per_user.setdefault(uuid.UUID(str(row["user_id"])), [0, 0, 0])
        if row["role"] == MessageRole.USER:
            totals[0] += row["count"]
        totals[1] += row["prompt"] or 0
        totals[2] += row["completion"] or 0
    users = {user: Usage(*totals) for user, totals in per_user.items()}
    total = (
        Usage(*(sum(values) for values in zip(*per_user.values(), strict=False)))
        if users
        else Usage(0, 0, 0)
    )
    return total, users
