"""Administration types."""

import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from api.assistant.types import Message, Rating
from api.context import Info
from api.documents.types import DocumentStatus
from api.errors import ValidationError
from api.identity.types import Organization, User
from api.visibility import Visibility
from domain.assistant import models as assistant_models
from domain.audit import models
from domain.identity.organizations import MAX_PROMPT_CHARS, MAX_SOURCES, MIN_SOURCES
from domain.retrieval import health


@strawberry.type(description="How many of the organisation's documents are in one state.")
class StatusCount:
    """One row of `IndexHealth.documentsByStatus`."""

    status: DocumentStatus = strawberry.field(description="The state.")
    count: int = strawberry.field(description="Documents in it.")


@strawberry.type(description="`beacon reembed` filling another model's vectors.")
class Reembedding:
    """The organisation's re-embedding under way (or stopped, until `beacon reembed` resumes)."""

    model: str = strawberry.field(description="The model being filled; search moves to it.")
    dimensions: int = strawberry.field(description="Floats per vector of that model.")
    vector_count: int = strawberry.field(
        description="Its vectors stored so far: complete at about chunkCount."
    )


@strawberry.type(description="Whether SQL and the vector store agree, for the organisation.")
class IndexHealth:
    """Counts of the caller's organisation; `beacon reconcile --fix` repairs drift."""

    vector_store: str = strawberry.field(description="lance or weaviate.")
    embedding_model: str = strawberry.field(
        description="The organisation's model: search reads its vectors and embeds the query "
        "with it."
    )
    dimensions: int = strawberry.field(description="Floats per vector of embeddingModel.")
    configured_model: str = strawberry.field(
        description="The model this Beacon is configured with; when it differs from "
        "embeddingModel, `beacon reembed` moves the organisation to it."
    )
    reembedding: Reembedding | None = strawberry.field(
        description="Another model's vectors being filled by `beacon reembed`; null if none."
    )
    documents_by_status: list[StatusCount] = strawberry.field(
        description="Every state, in lifecycle order, zeros included."
    )
    chunk_count: int = strawberry.field(description="Chunk rows in SQL.")
    vector_count: int = strawberry.field(
        description="Records in the vector store: equal to chunkCount when nothing drifted "
        "and no document is being ingested."
    )
    stuck_documents: int = strawberry.field(
        description="Unfinished documents whose worker's lease ran out (the sweeper re-queues "
        "them)."
    )

    @classmethod
    def from_report(cls, report: health.IndexHealth) -> "IndexHealth":
        """The GraphQL view of a domain report."""
        return cls(
            vector_store=report.vector_store,
            embedding_model=report.embedding_model,
            dimensions=report.dimensions,
            configured_model=report.configured_model,
            reembedding=None
            if report.reembedding is None
            else Reembedding(
                model=report.reembedding.model,
                dimensions=report.reembedding.dimensions,
                vector_count=report.reembedding.vector_count,
            ),
            documents_by_status=[
                StatusCount(status=DocumentStatus[status.name], count=count)
                for status, count in report.documents_by_status.items()
            ],
            chunk_count=report.chunk_count,
            vector_count=report.vector_count,
            stuck_documents=report.stuck_documents,
        )


@strawberry.type(description="One recorded action of the organisation's audit trail.")
class AuditEvent:
    """An audit event; rows are hash-chained and never change."""

    id: strawberry.ID = strawberry.field(description="Stable identifier.")
    action: str = strawberry.field(description="A dotted name, e.g. user.deactivated.")
    target_type: str | None = strawberry.field(description="user, document, conversation...")
    target_id: strawberry.ID | None = strawberry.field(description="What the action was on.")
    ip_address: str | None = strawberry.field(description="The client's address.")
    request_id: str | None = strawberry.field(description="The request's x-request-id.")
    details: JSON | None = strawberry.field(description="What else the action recorded.")
    created_at: datetime = strawberry.field(description="When it happened.")
    _actor_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Who did it (null: nobody signed in, e.g. a failed login).")
    async def actor(self, info: Info) -> User | None:
        """Loaded through the per-request user loader."""
        if self._actor_id is None:
            return None
        user = await info.context.loaders.identity.user.load(self._actor_id)
        return User.from_model(user) if user else None

    @classmethod
    def from_model(cls, event: models.AuditEvent) -> "AuditEvent":
        """From the ORM entity."""
        return cls(
            id=strawberry.ID(str(event.id)),
            action=event.action,
            target_type=event.target_type,
            target_id=strawberry.ID(event.target_id) if event.target_id else None,
            ip_address=event.ip_address,
            request_id=event.request_id,
            details=JSON(event.details),
            created_at=event.created_at,
            _actor_id=event.actor_id,
        )


@strawberry.input(description="Organisation settings to change; what is left out stays.")
class OrganizationSettingsInput:
    """updateOrganizationSettings arguments."""

    system_prompt: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"At most {MAX_PROMPT_CHARS} characters; null or blank: Beacon's own.",
    )
    answer_sources: int | None = strawberry.field(
        default=None, description=f"Passages per answer, {MIN_SOURCES}-{MAX_SOURCES}."
    )
    default_visibility: Visibility | None = strawberry.field(
        default=None, description="For uploads that leave their visibility out."
    )


UpdateOrganizationSettingsResult = Annotated[
    Organization | ValidationError,
    strawberry.union(
        "UpdateOrganizationSettingsResult", description="The organisation, or what was wrong."
    ),
]


@strawberry.type(name="Feedback", description="A rated answer, with what was asked.")
class FeedbackEntry:
    """One person's rating of one answer."""

    id: strawberry.ID = strawberry.field(description="Stable identifier.")
    rating: Rating = strawberry.field(description="UP or DOWN.")
    comment: str | None = strawberry.field(description="What the person said, if anything.")
    question: str = strawberry.field(description="The question the answer replied to.")
    reply: Message = strawberry.field(description="The answer, with its citations.")
    created_at: datetime = strawberry.field(description="When it was rated.")
    _user_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Who rated it.")
    async def user(self, info: Info) -> User:
        """Loaded through the per-request user loader."""
        user = await info.context.loaders.identity.user.load(self._user_id)
        if user is None:  # feedback cascades with its user
            raise LookupError(f"user {self._user_id} missing")
        return User.from_model(user)

    @classmethod
    def from_model(
        cls, feedback: assistant_models.Feedback, questions: dict[uuid.UUID, str]
    ) -> "FeedbackEntry":
        """From the ORM entity (its message loaded) and the questions of its page."""
        return cls(
            id=strawberry.ID(str(feedback.id)),
            rating=Rating[feedback.rating.name],
            comment=feedback.comment,
            question=questions.get(feedback.message_id, ""),
            reply=Message.from_model(feedback.message),
            created_at=feedback.created_at,
            _user_id=feedback.user_id,
        )
