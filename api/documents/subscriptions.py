"""Document subscriptions."""

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.documents.types import Document
from api.errors import CodedError, Unauthenticated
from api.permissions import signed_in


class DocumentNotFound(CodedError):
    """Missing, or not visible: the same answer."""

    code = "NOT_FOUND"


@strawberry.type
class DocumentSubscription:
    """Live document state."""

    @strawberry.subscription(
        description="The document now and on every status or progress change; "
        "ends after READY or FAILED.",
        extensions=signed_in(),
    )
    async def document_events(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Document id.")],
    ) -> AsyncGenerator[Document, None]:
        """Streams until the document is final, deleted, or the caller's token expires."""
        principal = info.context.require_principal()
        expires = info.context.token_expires_at
        async for current in info.context.services.documents.watch(principal, str(id)):
            if expires is not None and datetime.now(UTC) >= expires:
                raise Unauthenticated("The access token has expired.")
            if current is None:
                raise DocumentNotFound("No such document.")
            yield Document.from_model(current)
