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
from domain.documents.services import IncomingFile, UploadOutcome

INPUT = strawberry.argument(description="The operation's input.")
DOCUMENT_ID = strawberry.argument(description="Document id.")
_READ_SIZE = 1024 * 1024


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    """Read an upload in bounded pieces (Starlette spools it to a temporary file)."""
    while chunk := await upload.read(_READ_SIZE):
        yield chunk


def _not_a_part(field: str) -> errors.InvalidInput:
    # The Upload scalar takes any JSON value: only a multipart part mapped onto the variable
    # becomes Starlette's UploadFile.
    return errors.InvalidInput(
        field,
        f"Send the file as a GraphQL multipart request: a part mapped onto '{field}'.",
    )


def _upload_result(outcome: UploadOutcome) -> t.UploadDocumentResult:
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
        if not isinstance(upload, UploadFile):
            return error_member(_not_a_part("file"))
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
        return _upload_result(outcome)

    @strawberry.mutation(
        description="Upload several files in one GraphQL multipart request: a result per "
        "file, in their order. Each file is kept or refused on its own; the upload limit is "
        "charged a unit per file, all or none.",
        extensions=signed_in(),
    )
    async def upload_documents(
        self, info: Info, input: Annotated[t.UploadDocumentsInput, INPUT]
    ) -> t.UploadDocumentsResult:
        """Store, type-check and queue every file; what a client sends in bulk."""
        uploads = input.files
        try:
            limit = info.context.services.settings.max_upload_files
            if not 1 <= len(uploads) <= limit:
                raise errors.InvalidInput("files", f"Send from 1 to {limit} files.")
            files = []
            for number, upload in enumerate(uploads):
                if not isinstance(upload, UploadFile):
                    raise _not_a_part(f"files.{number}")
                files.append(IncomingFile(upload.filename or "upload", _chunks(upload)))
            results = await info.context.services.documents.upload_many(
                info.context.require_principal(), files, visibility=input.visibility
            )
        except (errors.RateLimited, errors.InvalidInput) as error:
            return error_member(error)
        finally:
            for upload in uploads:
                if isinstance(upload, UploadFile):
                    await upload.close()
        return t.UploadDocumentsSuccess(
            results=[
                error_member(result)
                if isinstance(result, errors.BeaconError)
                else _upload_result(result)
                for result in results
            ]
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
