"""GraphQL types of the documents context."""

import uuid
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from api import files
from api.context import Info
from api.errors import Error, FileRejected, NotFoundError, TooManyAttempts, ValidationError
from api.identity.types import User
from api.visibility import Visibility
from domain.documents import models


@strawberry.enum(description="Where a document is in its ingestion; READY and FAILED are final.")
class DocumentStatus(Enum):
    """GraphQL mirror of the domain status."""

    QUEUED = strawberry.enum_value("QUEUED", description="Waiting for a worker.")
    PARSING = strawberry.enum_value("PARSING", description="Reading the file.")
    CHUNKING = strawberry.enum_value("CHUNKING", description="Cutting it into passages.")
    EMBEDDING = strawberry.enum_value("EMBEDDING", description="Computing vectors.")
    INDEXING = strawberry.enum_value("INDEXING", description="Writing the search index.")
    READY = strawberry.enum_value("READY", description="Searchable.")
    FAILED = strawberry.enum_value("FAILED", description="Could not be ingested; see failure.")


@strawberry.enum(description="Why a document FAILED.")
class DocumentFailureCode(Enum):
    """GraphQL mirror of the domain failure code."""

    UNSUPPORTED_TYPE = strawberry.enum_value(
        "UNSUPPORTED_TYPE", description="Not an accepted type, whatever its name says."
    )
    EMPTY_FILE = strawberry.enum_value("EMPTY_FILE", description="No text in it.")
    CORRUPT_FILE = strawberry.enum_value(
        "CORRUPT_FILE", description="Damaged or unreadable, or it crashed the parser."
    )
    ENCRYPTED_FILE = strawberry.enum_value("ENCRYPTED_FILE", description="Password-protected.")
    TOO_LARGE = strawberry.enum_value(
        "TOO_LARGE", description="Over the page, passage, parsing-time or parser-memory limit."
    )
    FILE_MISSING = strawberry.enum_value("FILE_MISSING", description="Its stored file is gone.")
    TOO_MANY_ATTEMPTS = strawberry.enum_value(
        "TOO_MANY_ATTEMPTS", description="Every attempt failed, the last without a known cause."
    )
    VECTOR_STORE_UNAVAILABLE = strawberry.enum_value(
        "VECTOR_STORE_UNAVAILABLE",
        description="The search index kept failing; uploading the file again retries it.",
    )
    TRANSIENT_FAILURE = strawberry.enum_value(
        "TRANSIENT_FAILURE",
        description="A service kept failing; uploading the file again retries it.",
    )
    UNKNOWN = strawberry.enum_value("UNKNOWN", description="Failed before causes were recorded.")


@strawberry.type(description="Why a document could not be ingested.")
class DocumentFailure:
    """The failure of a FAILED document."""

    code: str = strawberry.field(description="A stable code, e.g. CORRUPT_FILE.")
    message: str = strawberry.field(description="A sentence for people.")
    retryable: bool = strawberry.field(
        description="Not the file's fault: uploading it again queues it again."
    )


@strawberry.type(description="An uploaded file and its ingestion state.")
class Document:
    """A document the caller may see."""

    id: strawberry.ID = strawberry.field(description="Stable identifier.")
    title: str = strawberry.field(description="Display title.")
    filename: str = strawberry.field(description="The uploaded file's name (metadata only).")
    content_type: str = strawberry.field(description="MIME type decided from the bytes.")
    size_bytes: int = strawberry.field(description="Size of the uploaded file.")
    status: DocumentStatus = strawberry.field(description="Lifecycle state.")
    progress: float = strawberry.field(
        description="0 to 1 through the current attempt; a new attempt starts again."
    )
    page_count: int | None = strawberry.field(description="Pages, for paged formats.")
    chunk_count: int = strawberry.field(description="Searchable passages once READY.")
    visibility: Visibility = strawberry.field(description="Who may see it.")
    version: int = strawberry.field(description="Bumped by every reindex.")
    attempts: int = strawberry.field(description="Processing attempts of this version.")
    created_at: datetime = strawberry.field(description="When it was uploaded.")
    updated_at: datetime = strawberry.field(description="Last change of any field.")
    failure: DocumentFailure | None = strawberry.field(description="Set when FAILED.")
    failure_code: DocumentFailureCode | None = strawberry.field(
        description="failure.code as an enum; set when FAILED."
    )
    _uploaded_by_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Who uploaded it.")
    async def uploaded_by(self, info: Info) -> User:
        """Loaded through the per-request user loader."""
        user = await info.context.loaders.identity.user.load(self._uploaded_by_id)
        if user is None:  # the foreign key cascades: a document never outlives its uploader
            raise LookupError(f"uploader {self._uploaded_by_id} missing")
        return User.from_model(user)

    @strawberry.field(
        description="A short-lived signed link to the original file (relative to the API's "
        "origin unless the server sets a public URL); PDFs open in the browser, at a page with "
        "`#page=N`, anything else downloads. It stops working when it expires, at the next "
        "version, or when the document is deleted."
    )
    def download_url(self, info: Info) -> str:
        """Signed now: whoever sees the document may fetch its file for a few minutes."""
        services = info.context.services
        link = services.downloads.sign(uuid.UUID(self.id), self.version)
        return files.download_url(services.settings, link)

    @classmethod
    def from_model(cls, document: models.Document) -> "Document":
        """From the ORM entity."""
        failed = document.status is models.DocumentStatus.FAILED
        code = (document.failure_code or models.FailureCode.UNKNOWN) if failed else None
        return cls(
            id=strawberry.ID(str(document.id)),
            title=document.title,
            filename=document.filename,
            content_type=document.kind.content_type,
            size_bytes=document.size_bytes,
            status=DocumentStatus[document.status.name],
            progress=document.progress,
            page_count=document.page_count,
            chunk_count=document.chunk_count,
            visibility=document.visibility,
            version=document.version,
            attempts=document.attempts,
            created_at=document.created_at,
            updated_at=document.updated_at,
            failure=DocumentFailure(
                code=code.value, message=document.failure_message or "", retryable=code.is_transient
            )
            if code is not None
            else None,
            failure_code=DocumentFailureCode[code.name] if code is not None else None,
            _uploaded_by_id=document.uploaded_by_id,
        )


@strawberry.type(description="The stored document; `duplicate` when the same content existed.")
class UploadDocumentSuccess:
    """Result of uploadDocument."""

    document: Document = strawberry.field(description="The new or the existing document.")
    duplicate: bool = strawberry.field(description="True when the content was already there.")
    retried: bool = strawberry.field(
        description="True when the existing document had FAILED for a transient reason "
        "and is queued again, as its next version."
    )


@strawberry.type(
    description="The file is stored and QUEUED, but the job queue is unreachable: it will be "
    "processed once the queue is back, without another upload. Code INGESTION_DELAYED."
)
class IngestionDelayed(Error):
    """The upload is kept; only its processing waits."""

    document: Document = strawberry.field(description="The stored document, QUEUED.")


@strawberry.type(description="The document is gone: its file, rows and vectors are removed.")
class DeleteDocumentSuccess:
    """Result of deleteDocument."""

    id: strawberry.ID = strawberry.field(description="The deleted document's id.")


@strawberry.type(description="The document is queued for ingestion as a new version.")
class ReindexDocumentSuccess:
    """Result of reindexDocument."""

    document: Document = strawberry.field(description="The document, QUEUED again.")


UploadDocumentResult = Annotated[
    UploadDocumentSuccess | IngestionDelayed | FileRejected | ValidationError | TooManyAttempts,
    strawberry.union("UploadDocumentResult", description="The document, or why not."),
]


@strawberry.type(description="A result per file, in the order the files were sent.")
class UploadDocumentsSuccess:
    """Result of uploadDocuments."""

    results: list[UploadDocumentResult] = strawberry.field(
        description="Each file's document, or why it was refused."
    )


UploadDocumentsResult = Annotated[
    UploadDocumentsSuccess | ValidationError | TooManyAttempts,
    strawberry.union(
        "UploadDocumentsResult",
        description="A result per file, or why none was taken (too many files, the upload limit).",
    ),
]
DeleteDocumentResult = Annotated[
    DeleteDocumentSuccess | NotFoundError,
    strawberry.union("DeleteDocumentResult", description="Deleted, or not found."),
]
ReindexDocumentResult = Annotated[
    ReindexDocumentSuccess | NotFoundError,
    strawberry.union("ReindexDocumentResult", description="Queued, or not found."),
]


@strawberry.input(description="A file to ingest (a GraphQL multipart request).")
class UploadDocumentInput:
    """uploadDocument arguments."""

    file: Upload = strawberry.field(description="The file; its type is decided from its bytes.")
    visibility: Visibility | None = strawberry.field(
        default=None, description="Left out: the organisation's defaultVisibility."
    )
    title: str | None = strawberry.field(default=None, description="Defaults to the file name.")


@strawberry.input(description="Files to ingest together (one GraphQL multipart request).")
class UploadDocumentsInput:
    """uploadDocuments arguments."""

    files: list[Upload] = strawberry.field(
        description="The files (at most BEACON_MAX_UPLOAD_FILES; together within the request "
        "size limit); each one's type is decided from its bytes, its title from its name."
    )
    visibility: Visibility | None = strawberry.field(
        default=None, description="For every file; left out: the organisation's defaultVisibility."
    )
