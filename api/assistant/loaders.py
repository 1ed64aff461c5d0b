"""Per-request DataLoaders for the assistant context."""

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.assistant.models import Message
from domain.assistant.ratings import AnswerRating, ratings_of
from domain.assistant.services import AssistantService


class AssistantLoaders:
    """Messages by conversation and ratings by answer, one query per batch."""

    def __init__(self, assistant: AssistantService) -> None:
        self._assistant = assistant
        self.messages = DataLoader[uuid.UUID, list[Message]](load_fn=self._messages)
        self.ratings = DataLoader[uuid.UUID, AnswerRating | None](load_fn=self._ratings)

    async def _messages(self, ids: Sequence[uuid.UUID]) -> list[list[Message]]:
        found = await self._assistant.messages(list(ids))
        return [found.get(i, []) for i in ids]

    async def _ratings(self, ids: Sequence[uuid.UUID]) -> list[AnswerRating | None]:
        found = await ratings_of(list(ids))
        return [found.get(i) for i in ids]
