"""Turning the domain's answer stream into GraphQL events (shared by ask and answer)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import strawberry

from api.assistant import types as t
from api.context import Info
from domain.assistant import services as domain
from domain.errors import AuthenticationFailed


async def answer_events(
    info: Info, question: str, conversation_id: str | None
) -> AsyncIterator[t.AnswerDelta | t.AnswerCitations | t.AnswerDone]:
    """Deltas, citations, done; raises the domain's errors (`AuthenticationFailed` when the
    caller's token expires mid-answer), which ask and answer each map to their own types."""
    principal = info.context.require_principal()
    expires = info.context.token_expires_at
    stream = info.context.services.assistant.answer(principal, question, conversation_id)
    try:
        async for event in stream:
            if expires is not None and datetime.now(UTC) >= expires:
                raise AuthenticationFailed("The access token has expired.")
            if isinstance(event, domain.AnswerDelta):
                yield t.AnswerDelta(
                    text=event.text, conversation_id=strawberry.ID(str(event.conversation_id))
                )
            elif isinstance(event, domain.AnswerCitations):
                yield t.AnswerCitations(citations=await t.citations_of(info, event.citations))
            else:
                yield t.AnswerDone(
                    reply=t.Message.from_model(event.reply),
                    conversation=t.Conversation.from_model(event.conversation),
                )
    finally:
        await stream.aclose()
