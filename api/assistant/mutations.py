"""Assistant mutations: ask (the whole answer at once), rateAnswer and renameConversation."""

from typing import Annotated

import strawberry

from api.assistant import types as t
from api.assistant.answers import answer_events
from api.context import Info
from api.errors import AnswerError, answer_error, error_member
from api.permissions import signed_in
from domain import errors
from domain.assistant import ratings
from domain.assistant.models import Rating

INPUT = strawberry.argument(description="The operation's input.")


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
        try:
            async for event in answer_events(info, input.question, conversation):
                if isinstance(event, t.AnswerDelta):
                    parts.append(event.text)
                elif isinstance(event, t.AnswerCitations):
                    citations = event.citations
                else:
                    return t.Answer(
                        text="".join(parts),
                        citations=citations,
                        reply=event.reply,
                        conversation=event.conversation,
                    )
        except (
            errors.InvalidInput,
            errors.NotFound,
            errors.BudgetExceeded,
            errors.RateLimited,
        ) as error:
            return error_member(error)
        except errors.BeaconError as error:
            return answer_error(error)
        return AnswerError(message="The answer ended early.", code="INCOMPLETE")

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
        except (errors.NotFound, errors.InvalidInput) as error:
            return error_member(error)
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
        except (errors.NotFound, errors.InvalidInput) as error:
            return error_member(error)
        return t.Conversation.from_model(renamed)
