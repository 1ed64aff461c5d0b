"""Administration types."""

import strawberry

from api.documents.types import DocumentStatus
from domain.retrieval import health


@strawberry.type(description="How many of the organisation's documents are in one state.")
class StatusCount:
    """One row of `IndexHealth.documentsByStatus`."""

    status: DocumentStatus = strawberry.field(description="The state.")
    count: int = strawberry.field(description="Documents in it.")


@strawberry.type(description="Whether SQL and the vector store agree, for the organisation.")
class IndexHealth:
    """Counts of the caller's organisation; `beacon reconcile --fix` repairs drift."""

    vector_store: str = strawberry.field(description="lance or weaviate.")
    embedding_model: str = strawberry.field(description="The model that embeds chunks.")
    dimensions: int = strawberry.field(description="Floats per vector.")
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
            documents_by_status=[
                StatusCount(status=DocumentStatus[status.name], count=count)
                for status, count in report.documents_by_status.items()
            ],
            chunk_count=report.chunk_count,
            vector_count=report.vector_count,
            stuck_documents=report.stuck_documents,
        )
