"""Document queries."""

from typing import Annotated

import strawberry

from api.context import Info
from api.documents.ordering import DocumentOrder
from api.documents.types import Document, DocumentStatus
from api.pagination import AFTER, FIRST, Connection, paged
from api.permissions import signed_in
from domain.documents import models


@strawberry.type
class DocumentQuery:
    """The documents the caller may see."""

    @strawberry.field(
        description="Visible documents, newest first unless `orderBy` says otherwise "
        "(first <= 100).",
        extensions=signed_in(),
    )
    async def documents(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        status: Annotated[
            DocumentStatus | None, strawberry.argument(description="Only documents in this state.")
        ] = None,
        title_contains: Annotated[
            str | None,
            strawberry.argument(
                description="Only titles containing this text, ignoring case (% and _ are "
                "plain characters; at most 300)."
            ),
        ] = None,
        order_by: Annotated[
            DocumentOrder | None,
            strawberry.argument(
                description="Sort order, default CREATED_AT DESC; keep it while paging (a "
                "cursor belongs to the order it came from)."
            ),
        ] = None,
    ) -> Connection[Document]:
        """A page of documents."""
        wanted = models.DocumentStatus[status.name] if status else None
        principal = info.context.require_principal()
        return await paged(
            info.context.services.documents.list(
                principal,
                first,
                after,
                wanted,
                title_contains=title_contains,
                ordering=(order_by or DocumentOrder()).to_domain(),
            ),
            Document.from_model,
        )

    @strawberry.field(
        description="A document; null when missing or not visible to the caller.",
        extensions=signed_in(),
    )
    async def document(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Document id.")],
    ) -> Document | None:
        """One document by id."""
        found = await info.context.services.documents.get(info.context.require_principal(), str(id))
        return Document.from_model(found) if found else None
