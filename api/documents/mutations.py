"""Document mutations; expected failures come back as union members."""

from collections.abc import AsyncIterator
from typing import Annotated

import strawberry
from starlette.datastructures import UploadFile

from api.context import Info
from api.documents import types as t
from api.errors import as_graphql_error, error_member
from api.permissions import admin_only, signed_in
from domain import errors

INPUT = strawberry.argument(description="The operation's input.")
DOCUMENT_ID = strawberry.argument(description="Document id.")
_READ_SIZE = 1024 * 1024


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    """Read an upload in bounded pieces (Starlette spools it to a temporary file)."""
    while chunk := await upload.read(_READ_SIZE):
        yield chunk


@strawberry.type
class DocumentMutation:
    """Upload, delete and reindex documents."""

    @strawberry.mutation(
        description="Upload a file (GraphQL multipart request); ingestion starts after commit.",
        extensions=signed_in(),
    )
    async def upload_document(
        self, info: Info, input: Annotated[t.UploadDocumentInput, INPUT]
    ) -> t.UploadDocumentResult:
        """Store, type-check and queue a file."""
        upload = input.file
        # The Upload scalar takes any JSON value: only a multipart part mapped onto the
        # variable becomes Starlette's UploadFile.
        if not isinstance(upload, UploadFile):
            return error_member(
                errors.InvalidInput(
                    "file",
                    "Send the file as a GraphQL multipart request: a part mapped onto the "
                    "'file' variable.",
                )
            )
        try:
            outcome = await info.context.services.documents.upload(
                info.context.require_principal(),
                filename=upload.filename or "upload",
                chunks=_chunks(upload),
                visibility=input.visibility,
                title=input.title,
            )
        except (errors.DocumentRejected, errors.RateLimited, errors.InvalidInput) as error:
            return error_member(error)
        finally:
            await upload.close()
        document = t.Document.from_model(outcome.document)
        if outcome.delayed:
            return t.IngestionDelayed(
                message="The file is stored, but the processing queue is unreachable; it will "
                "be processed once the queue is back, without another upload.",
                code="INGESTION_DELAYED",
                document=document,
            )
        return t.UploadDocumentSuccess(
            document=document, duplicate=outcome.duplicate, retried=outcome.retried
        )

    @strawberry.mutation(
        description="Delete a document with its file, chunks and vectors (uploader or ADMIN).",
        extensions=signed_in(),
    )
    async def delete_document(
        self, info: Info, id: Annotated[strawberry.ID, DOCUMENT_ID]
    ) -> t.DeleteDocumentResult:
        """Idempotent: deleting twice answers NotFoundError the second time."""
        try:
            deleted = await info.context.services.documents.delete(
                info.context.require_principal(), str(id)
            )
        except errors.NotFound as error:
            return error_member(error)
        except errors.PermissionDenied as error:
            raise as_graphql_error(error) from error
        return t.DeleteDocumentSuccess(id=strawberry.ID(str(deleted)))

    @strawberry.mutation(
        description="Parse and index a document again as a new version.",
        extensions=admin_only(),
    )
    async def reindex_document(
        self, info: Info, id: Annotated[strawberry.ID, DOCUMENT_ID]
    ) -> t.ReindexDocumentResult:
        """ADMIN only."""
        try:
            document = await info.context.services.documents.reindex(
                info.context.require_principal(), str(id)
            )
        except errors.NotFound as error:
            return error_member(error)
        return t.ReindexDocumentSuccess(document=t.Document.from_model(document))
