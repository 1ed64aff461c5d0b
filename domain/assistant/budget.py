"""The daily answer budgets: tokens per user and per organisation over the last 24 hours.

Spending is the tokens on the day's messages, so every API process sees the same. Answers are
paid for in advance: before generating, the question is stored carrying the most tokens its
answer can use (a reservation), in a transaction that first locks the organisation's row, so
that every process reserving for that organisation (its users included) queues there and
concurrent answers cannot together overshoot a budget. When the answer ends, the reservation
becomes what was used: on the stored reply when the answer is complete (`release`); on the
question itself when it failed, timed out or was abandoned (`charge`).
"""

import uuid
from datetime import UTC, datetime, timedelta

from tortoise.functions import Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain.assistant.generation.base import Meter
from domain.assistant.models import Message, MessageRole
from domain.errors import BudgetExceeded
from domain.identity.locks import lock_organization
from domain.identity.principal import Principal


class AnswerBudget:
    """Refuses answers the day's tokens cannot cover; books what answers use."""

    def __init__(self, tokens_per_user: int, tokens_per_organization: int) -> None:
        self._per_user = tokens_per_user
        self._per_organization = tokens_per_organization

    async def check(self, actor: Principal, tokens: int = 0) -> None:
        """Raise BudgetExceeded unless the day's spending and reservations leave room for
        `tokens` more (and, asking for none, for one token at least)."""
        since = datetime.now(UTC) - timedelta(days=1)
        mine = Message.filter(created_at__gte=since, user_id=actor.user_id)
        ours = Message.filter(created_at__gte=since, organization_id=actor.organization_id)
        wanted = max(tokens, 1)
        if await _tokens(mine) + wanted > self._per_user:
            raise BudgetExceeded("You have used today's answer budget; try again tomorrow.")
        if await _tokens(ours) + wanted > self._per_organization:
            raise BudgetExceeded("Your organisation has used today's answer budget.")

    async def reserve(
        self, actor: Principal, conversation_id: uuid.UUID, question: str, tokens: int
    ) -> Message:
        """Store the question carrying a reservation of `tokens`, or raise BudgetExceeded."""
        async with in_transaction():
            # PostgreSQL: the row lock queues the organisation's reservations from every
            # process. SQLite runs one write transaction at a time anyway (and Tortoise leaves
            # FOR UPDATE out there).
            await lock_organization(actor.organization_id)
            await self.check(actor, tokens)
            return await Message.create(
                conversation_id=conversation_id,
                organization_id=actor.organization_id,
                user_id=actor.user_id,
                role=MessageRole.USER,
                text=question,
                prompt_tokens=tokens,
            )

    async def release(self, question: Message) -> None:
        """Drop the question's reservation: its complete answer, stored in the same
        transaction, carries what was used."""
        await Message.filter(id=question.id).update(prompt_tokens=0, completion_tokens=0)

    async def charge(self, question: Message, used: Meter) -> None:
        """Replace the question's reservation with what its unfinished answer used."""
        await Message.filter(id=question.id).update(
            prompt_tokens=used.prompt_tokens, completion_tokens=used.completion_tokens
        )


async def _tokens(messages: QuerySet[Message]) -> int:
    rows = await messages.annotate(
        prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens")
    ).values("prompt", "completion")
    return sum((row["prompt"] or 0) + (row["completion"] or 0) for row in rows)
