"""Document queries."""

from typing import Annotated

import strawberry

from api.context import Info
from api.documents.types import Document, DocumentStatus
from api.pagination import AFTER, FIRST, Connection, paged
from api.permissions import signed_in
from domain.documents import models


@strawberry.type
class DocumentQuery:
    """The documents the caller may see."""

    @strawberry.field(
        description="Visible documents, oldest first (first <= 100).", extensions=signed_in()
    )
    async def documents(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        status: Annotated[
            DocumentStatus | None, strawberry.argument(description="Only documents in this state.")
        ] = None,
    ) -> Connection[Document]:
        """A page of documents."""
        wanted = models.DocumentStatus[status.name] if status else None
        principal = info.context.require_principal()
        return await paged(
            info.context.services.documents.list(principal, first, after, wanted),
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
