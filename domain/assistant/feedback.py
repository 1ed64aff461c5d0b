"""Feedback review: the answers people rated, with the question each one answered."""

import uuid

from domain.assistant.models import Feedback, Message, MessageRole, Rating
from domain.errors import PermissionDenied
from domain.identity.principal import Principal
from domain.pagination import NEWEST_FIRST, Page, paginate


async def page(
    actor: Principal, first: int | None, after: str | None, rating: Rating | None = None
) -> Page[Feedback]:
    """The organisation's ratings, newest first, each with its answer (ADMINs only)."""
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can review feedback.")
    query = Feedback.filter(message__organization_id=actor.organization_id).select_related(
        "message"
    )
    if rating is not None:
        query = query.filter(rating=rating)
    return await paginate(query, first, after, NEWEST_FIRST)


async def questions_of(replies: list[Message]) -> dict[uuid.UUID, str]:
    """For each answer, the question it answered: the conversation's last question before it
    (one query for a whole page)."""
    if not replies:
        return {}
    asked = await Message.filter(
        conversation_id__in={reply.conversation_id for reply in replies},
        role=MessageRole.USER,
        created_at__lte=max(reply.created_at for reply in replies),
    ).order_by("created_at")
    questions: dict[uuid.UUID, str] = {}
    for reply in replies:
        before = [
            message.text
            for message in asked
            if message.conversation_id == reply.conversation_id
            and message.created_at <= reply.created_at
        ]
        questions[reply.id] = before[-1] if before else ""
    return questions
