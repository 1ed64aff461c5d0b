"""GraphQL types of the assistant context."""

import asyncio
import uuid
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from api.context import Info
from api.documents.types import Document
from api.errors import (
    AnswerError,
    BudgetExceeded,
    NotFoundError,
    TooManyAttempts,
    ValidationError,
)
from api.identity.types import User
from domain.assistant import models
from domain.assistant.citations import CitationData
from domain.retrieval.search import SearchResult


async def _document(info: Info, document_id: uuid.UUID) -> Document | None:
    found = await info.context.loaders.documents.document.load(document_id)
    principal = info.context.principal
    if found is None or principal is None or found.organization_id != principal.organization_id:
        return None
    return Document.from_model(found)


@strawberry.type(description="A passage the caller may see, best first.")
class SearchHit:
    """One search result."""

    text: str = strawberry.field(description="The passage (headings first).")
    score: float = strawberry.field(description="Higher is better; comparable within one search.")
    page: int | None = strawberry.field(
        description="Page on which the passage starts (PDF page, slide or sheet), if paged."
    )
    heading_path: list[str] = strawberry.field(description="Headings above the passage.")
    _document_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The document the passage comes from.")
    async def document(self, info: Info) -> Document:
        """Loaded through the per-request document loader."""
        found = await _document(info, self._document_id)
        if found is None:  # deleted between the search and this field
            raise LookupError(f"document {self._document_id} vanished")
        return found

    @classmethod
    def from_result(cls, result: SearchResult) -> "SearchHit":
        """From the domain result."""
        return cls(
            text=result.text,
            score=result.score,
            page=result.page,
            heading_path=result.heading_path,
            _document_id=result.document_id,
        )


@strawberry.type(description="Where an answer's claim comes from: a verbatim snippet.")
class Citation:
    """A snippet of a document that supports part of an answer."""

    snippet: str = strawberry.field(description="Text that appears verbatim in the document.")
    page: int | None = strawberry.field(
        description="Page on which the snippet starts (PDF page, slide or sheet), if paged."
    )
    score: float = strawberry.field(description="Retrieval score of the cited passage.")
    start: int = strawberry.field(description="Offset of the snippet in the document's text.")
    end: int = strawberry.field(description="start + length of the snippet.")
    number: int = strawberry.field(description="The [n] marker in the answer text.")
    document: Document = strawberry.field(description="The cited document.")


async def citations_of(info: Info, data: list[CitationData]) -> list[Citation]:
    """Citations whose documents still exist for the caller (deleted ones drop out)."""
    documents = await asyncio.gather(*(_document(info, item.document_id) for item in data))
    citations = []
    for item, document in zip(data, documents, strict=True):
        if document is not None:
            citations.append(
                Citation(
                    snippet=item.snippet,
                    page=item.page,
                    score=item.score,
                    start=item.start,
                    end=item.end,
                    number=item.number,
                    document=document,
                )
            )
    return citations


@strawberry.enum(description="Who wrote a message.")
class MessageRole(Enum):
    """GraphQL mirror of the domain role."""

    USER = strawberry.enum_value("USER", description="The person asking.")
    ASSISTANT = strawberry.enum_value("ASSISTANT", description="Beacon's answer.")


@strawberry.enum(description="Feedback on an answer.")
class Rating(Enum):
    """GraphQL mirror of the domain rating."""

    UP = strawberry.enum_value("UP", description="Helpful.")
    DOWN = strawberry.enum_value("DOWN", description="Not helpful or wrong.")


@strawberry.type(description="A question or an answer in a conversation.")
class Message:
    """One message."""

    id: strawberry.ID = strawberry.field(description="Stable identifier.")
    role: MessageRole = strawberry.field(description="USER or ASSISTANT.")
    text: str = strawberry.field(description="The question, or the answer with [n] markers.")
    created_at: datetime = strawberry.field(description="When it was written.")
    prompt_tokens: int = strawberry.field(description="Tokens sent to the generator.")
    completion_tokens: int = strawberry.field(description="Tokens the generator wrote.")
    latency_ms: int = strawberry.field(description="Question to stored answer, in ms.")
    generator: str = strawberry.field(description="Which generator answered.")
    prompt_version: str = strawberry.field(
        description="The instructions it was given: beacon-N (Beacon's own, version N) or "
        "organization-N (the organisation's prompt, version N); empty for questions."
    )
    fallback_reason: str | None = strawberry.field(
        description="Set when the configured model failed before its first word and the "
        "extractive generator answered instead: the model's failure code (e.g. LLM_TIMEOUT)."
    )
    _citations: strawberry.Private[list[CitationData]]

    @strawberry.field(
        description="How its asker rated this answer (rateAnswer); null: not rated, or a question."
    )
    async def rating(self, info: Info) -> Rating | None:
        """Loaded through the per-request ratings loader."""
        if self.role is MessageRole.USER:
            return None
        found = await info.context.loaders.assistant.ratings.load(uuid.UUID(self.id))
        return None if found is None else Rating[found.rating.name]

    @strawberry.field(
        description="The comment of its asker's rating (rateAnswer); null: no comment, not "
        "rated, or a question."
    )
    async def rating_comment(self, info: Info) -> str | None:
        """From the same per-request loader as the rating, so both cost one query."""
        if self.role is MessageRole.USER:
            return None
        found = await info.context.loaders.assistant.ratings.load(uuid.UUID(self.id))
        return None if found is None else found.comment

    @strawberry.field(description="The answer's citations (empty for questions).")
    async def citations(self, info: Info) -> list[Citation]:
        """Each with its document, loaded in one batch."""
        return await citations_of(info, self._citations)

    @classmethod
    def from_model(cls, message: models.Message) -> "Message":
        """From the ORM entity."""
        return cls(
            id=strawberry.ID(str(message.id)),
            role=MessageRole[message.role.name],
            text=message.text,
            created_at=message.created_at,
            prompt_tokens=message.prompt_tokens,
            completion_tokens=message.completion_tokens,
            latency_ms=message.latency_ms,
            generator=message.generator,
            prompt_version=message.prompt_version,
            fallback_reason=message.fallback_reason,
            _citations=[CitationData.from_json(item) for item in message.citations],
        )


@strawberry.type(description="A thread of questions and answers (private to its user).")
class Conversation:
    """A conversation."""

    id: strawberry.ID = strawberry.field(description="Stable identifier.")
    title: str = strawberry.field(description="The first question, shortened.")
    created_at: datetime = strawberry.field(description="When it started.")

    @strawberry.field(description="Questions and answers, oldest first.")
    async def messages(self, info: Info) -> list[Message]:
        """Loaded through the per-request messages loader."""
        rows = await info.context.loaders.assistant.messages.load(uuid.UUID(self.id))
        return [Message.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, conversation: models.Conversation) -> "Conversation":
        """From the ORM entity."""
        return cls(
            id=strawberry.ID(str(conversation.id)),
            title=conversation.title,
            created_at=conversation.created_at,
        )


@strawberry.type(description="A complete answer (for clients without websockets).")
class Answer:
    """Result of ask."""

    text: str = strawberry.field(description="The answer with [n] markers.")
    citations: list[Citation] = strawberry.field(description="What the markers point at.")
    reply: Message = strawberry.field(description="The stored answer message.")
    conversation: Conversation = strawberry.field(description="The conversation it belongs to.")


@strawberry.type(description="More answer text.")
class AnswerDelta:
    """A streamed piece of the answer."""

    text: str = strawberry.field(description="Append to what came before.")
    conversation_id: strawberry.ID = strawberry.field(
        description="The conversation the question joined (a new one for a first question): "
        "known from the first delta, so a client that stops the answer can still follow up in it."
    )


@strawberry.type(description="The answer's citations, sent once the text is complete.")
class AnswerCitations:
    """Citations of a streamed answer."""

    citations: list[Citation] = strawberry.field(description="What the markers point at.")


@strawberry.type(description="The stream is complete: the stored reply and its conversation.")
class AnswerDone:
    """The last event of a successful answer."""

    reply: Message = strawberry.field(description="The stored answer message.")
    conversation: Conversation = strawberry.field(description="The conversation it belongs to.")


AnswerEvent = Annotated[
    AnswerDelta | AnswerCitations | AnswerDone | AnswerError,
    strawberry.union("AnswerEvent", description="One event of a streamed answer."),
]


AskResult = Annotated[
    Answer | ValidationError | NotFoundError | BudgetExceeded | TooManyAttempts | AnswerError,
    strawberry.union("AskResult", description="The answer, or why not."),
]


@strawberry.type(description="The rating is stored.")
class RateAnswerSuccess:
    """Result of rateAnswer."""

    rating: Rating = strawberry.field(description="The stored rating.")
    comment: str | None = strawberry.field(description="The stored comment.")


@strawberry.type(description="The rating is cleared: the answer is not rated any more.")
class RatingCleared:
    """Result of rateAnswer without a rating."""

    message_id: strawberry.ID = strawberry.field(description="The answer.")


RateAnswerResult = Annotated[
    RateAnswerSuccess | RatingCleared | NotFoundError | ValidationError,
    strawberry.union("RateAnswerResult", description="Stored, or why not."),
]


@strawberry.input(description="A question, optionally continuing a conversation.")
class AskInput:
    """ask / answer arguments."""

    question: str = strawberry.field(description="At most 2000 characters.")
    conversation_id: strawberry.ID | None = strawberry.field(
        default=None, description="Continue this conversation (yours only)."
    )


@strawberry.input(description="Feedback on one of your answers.")
class RateAnswerInput:
    """rateAnswer arguments."""

    message_id: strawberry.ID = strawberry.field(description="The ASSISTANT message.")
    rating: Rating | None = strawberry.field(
        default=None, description="UP or DOWN; left out or null: clears your rating."
    )
    comment: str | None = strawberry.field(default=None, description="Why (optional).")


@strawberry.input(description="A new title for one of your conversations.")
class RenameConversationInput:
    """renameConversation arguments."""

    id: strawberry.ID = strawberry.field(description="The conversation.")
    title: str = strawberry.field(description="1 to 200 characters.")


RenameConversationResult = Annotated[
    Conversation | NotFoundError | ValidationError,
    strawberry.union(
        "RenameConversationResult", description="The renamed conversation, or why not."
    ),
]


@strawberry.type(description="Questions and tokens in a period.")
class UsageFigures:
    """Usage totals."""

    questions: int = strawberry.field(description="Questions asked.")
    prompt_tokens: int = strawberry.field(description="Tokens sent to the generator.")
    completion_tokens: int = strawberry.field(description="Tokens it wrote.")


@strawberry.type(description="One user's usage.")
class UserUsage(UsageFigures):
    """Usage of one user."""

    _user_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The user.")
    async def user(self, info: Info) -> User | None:
        """Null if the account is gone."""
        found = await info.context.loaders.identity.user.load(self._user_id)
        return User.from_model(found) if found else None


@strawberry.type(description="The organisation's usage since a moment, in all and per user.")
class UsageReport(UsageFigures):
    """ADMIN usage report."""

    since: datetime = strawberry.field(description="Start of the period.")
    users: list[UserUsage] = strawberry.field(description="Per user, most tokens first.")
