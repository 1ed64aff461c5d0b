"""The order of the documents list, as clients ask for it."""

from enum import Enum

import strawberry

from api.pagination import OrderDirection
from domain.documents import ordering
from domain.pagination import Direction, Ordering


@strawberry.enum(description="What the documents list is sorted by; ties keep a stable order.")
class DocumentOrderField(Enum):
    """GraphQL mirror of the domain order fields."""

    CREATED_AT = strawberry.enum_value("CREATED_AT", description="When it was uploaded.")
    TITLE = strawberry.enum_value("TITLE", description="Title, ignoring case.")
    STATUS = strawberry.enum_value(
        "STATUS",
        description="Lifecycle order: QUEUED, PARSING, CHUNKING, EMBEDDING, INDEXING, READY, "
        "FAILED.",
    )


@strawberry.input(description="How to sort the documents list; default newest first.")
class DocumentOrder:
    """A field and a direction."""

    field: DocumentOrderField = strawberry.field(
        default=DocumentOrderField.CREATED_AT, description="What to sort by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Ascending or descending."
    )

    def to_domain(self) -> Ordering:
        """The keyset ordering this asks for."""
        return ordering.document_ordering(
            ordering.DocumentOrderField[self.field.name], Direction[self.direction.name]
        )
