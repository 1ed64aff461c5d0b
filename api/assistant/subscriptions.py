"""The answer subscription."""

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from api.assistant import types as t
from api.assistant.answers import answer_events
from api.context import Info
from api.errors import answer_error
from api.permissions import signed_in
from domain.errors import BeaconError


@strawberry.type
class AssistantSubscription:
    """Answers as they are written."""

    @strawberry.subscription(
        description="Stream an answer: AnswerDelta..., then AnswerCitations, then AnswerDone "
        "(or one AnswerError). Completing the subscription stops the generation.",
        extensions=signed_in(),
    )
    async def answer(
        self,
        info: Info,
        input: Annotated[t.AskInput, strawberry.argument(description="The question.")],
    ) -> AsyncGenerator[t.AnswerEvent, None]:
        """Events until done or failed."""
        conversation = str(input.conversation_id) if input.conversation_id else None
        try:
            async for event in answer_events(info, input.question, conversation):
                yield event
        except BeaconError as error:
            yield answer_error(error)
