"""Askers rating their answers: one rating per answer, with an optional comment."""

import uuid
from dataclasses import dataclass

from domain.assistant.models import Feedback, Message, MessageRole, Rating
from domain.errors import InvalidInput, NotFound
from domain.identity.principal import Principal


@dataclass(frozen=True)
class AnswerRating:
    """The asker's rating of an answer and the comment that came with it."""

    rating: Rating
    comment: str | None


async def rate(
    actor: Principal, message_id: str, rating: Rating | None, comment: str | None
) -> Feedback | None:
    """Rate one of the caller's answers; rating again replaces the earlier rating, and no
    rating clears it (None back)."""
    if comment is not None and len(comment) > 2000:
        raise InvalidInput("comment", "Use at most 2000 characters.")
    try:
        wanted = uuid.UUID(message_id)
    except ValueError:
        raise NotFound("No such answer.") from None
    message = await Message.get_or_none(
        id=wanted, user_id=actor.user_id, role=MessageRole.ASSISTANT
    )
    if message is None:
        raise NotFound("No such answer.")
    if rating is None:
        await Feedback.filter(message_id=message.id, user_id=actor.user_id).delete()
        return None
    feedback, _ = await Feedback.update_or_create(
        defaults={"rating": rating, "comment": comment},
        message_id=message.id,
        user_id=actor.user_id,
    )
    return feedback


async def ratings_of(message_ids: list[uuid.UUID]) -> dict[uuid.UUID, AnswerRating]:
    """The asker's rating of each answer that has one, with its comment (for data loaders;
    only the asker may rate an answer, so an answer has one rating at most)."""
    rows = await Feedback.filter(message_id__in=message_ids).values(
        "message_id", "rating", "comment"
    )
    return {row["message_id"]: AnswerRating(Rating(row["rating"]), row["comment"]) for row in rows}
