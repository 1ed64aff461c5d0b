"""Assistant mutations: ask (the whole answer at once), rateAnswer and renameConversation."""

from typing import Annotated

import strawberry

from api.assistant import types as t
from api.assistant.answers import answer_events
from api.context import Info
from api.errors import NotFoundError, TooManyAttempts, ValidationError, not_found
from api.permissions import signed_in
from domain import errors
from domain.assistant import ratings
from domain.assistant.models import Rating

INPUT = strawberry.argument(description="The operation's input.")
_UNION_BY_CODE = {
    errors.InvalidInput.code: "validation",
    errors.ConversationFull.code: "validation",
    errors.NotFound.code: "not_found",
    errors.BudgetExceeded.code: "budget",
}
# The answer stream reports only codes; the input field each validation code is about.
_FIELD_BY_CODE = {errors.ConversationFull.code: "conversationId"}


@strawberry.type
class AssistantMutation:
    """Ask questions, rate answers and rename conversations."""

    @strawberry.mutation(
        description="Ask a question and get the whole cited answer (no websocket needed).",
        extensions=signed_in(),
    )
    async def ask(self, info: Info, input: Annotated[t.AskInput, INPUT]) -> t.AskResult:
        """The same pipeline as the answer subscription, collected."""
        parts: list[str] = []
        citations: list[t.Citation] = []
        conversation = str(input.conversation_id) if input.conversation_id else None
        async for event in answer_events(info, input.question, conversation):
            if isinstance(event, t.AnswerDelta):
                parts.append(event.text)
            elif isinstance(event, t.AnswerCitations):
                citations = event.citations
            elif isinstance(event, t.AnswerDone):
                return t.Answer(
                    text="".join(parts),
                    citations=citations,
                    reply=event.reply,
                    conversation=event.conversation,
                )
            else:
                return _failure(event)
        return t.AnswerFailed(message="The answer ended early.", code="INCOMPLETE")

    @strawberry.mutation(
        description="Rate one of your answers UP or DOWN (again to change it; no rating "
        "clears it).",
        extensions=signed_in(),
    )
    async def rate_answer(
        self, info: Info, input: Annotated[t.RateAnswerInput, INPUT]
    ) -> t.RateAnswerResult:
        """Feedback for the people who curate the documents."""
        try:
            feedback = await ratings.rate(
                info.context.require_principal(),
                str(input.message_id),
                None if input.rating is None else Rating[input.rating.name],
                input.comment,
            )
        except errors.NotFound as error:
            return not_found(error)
        except errors.InvalidInput as error:
            return ValidationError(message=error.message, code=error.code, field=error.field)
        if feedback is None:
            return t.RatingCleared(message_id=input.message_id)
        return t.RateAnswerSuccess(rating=t.Rating[feedback.rating.name], comment=feedback.comment)

    @strawberry.mutation(
        description="Rename one of your conversations.",
        extensions=signed_in(),
    )
    async def rename_conversation(
        self, info: Info, input: Annotated[t.RenameConversationInput, INPUT]
    ) -> t.RenameConversationResult:
        """A title of the caller's choosing instead of the first question."""
        try:
            renamed = await info.context.services.assistant.rename(
                info.context.require_principal(), str(input.id), input.title
            )
        except errors.NotFound as error:
            return not_found(error)
        except errors.InvalidInput as error:
            return ValidationError(message=error.message, code=error.code, field=error.field)
        return t.Conversation.from_model(renamed)


def _failure(
    event: t.AnswerError,
) -> ValidationError | NotFoundError | t.BudgetExceeded | TooManyAttempts | t.AnswerFailed:
    kind = _UNION_BY_CODE.get(event.code)
    if kind == "validation":
        field = _FIELD_BY_CODE.get(event.code, "question")
        return ValidationError(message=event.message, code=event.code, field=field)
    if kind == "not_found":
        return NotFoundError(message=event.message, code=event.code)
    if event.retry_after_seconds is not None:
        return TooManyAttempts(
            message=event.message,
            code=event.code,
            retry_after_seconds=event.retry_after_seconds,
        )
    if kind == "budget":
        return t.BudgetExceeded(message=event.message, code=event.code)
    return t.AnswerFailed(message=event.message, code=event.code)
