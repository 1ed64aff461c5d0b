"""Persistent document entities: documents, their extracted text, and their chunks."""

import uuid
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from domain.documents.kinds import DocumentKind
from domain.identity.models import Organization, User
from domain.visibility import Visibility


class DocumentStatus(StrEnum):
    """Where a document is in its lifecycle; READY and FAILED are final."""

    QUEUED = "QUEUED"
    PARSING = "PARSING"
    CHUNKING = "CHUNKING"
    EMBEDDING = "EMBEDDING"
    INDEXING = "INDEXING"
    READY = "READY"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        """READY or FAILED: nothing more will happen without a reindex."""
        return self in (DocumentStatus.READY, DocumentStatus.FAILED)


class FailureCode(StrEnum):
    """Why a document FAILED: the code of the `DocumentRejected` that ended it, or of the
    cause that kept its attempts failing."""

    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    EMPTY_FILE = "EMPTY_FILE"
    CORRUPT_FILE = "CORRUPT_FILE"
    ENCRYPTED_FILE = "ENCRYPTED_FILE"
    TOO_LARGE = "TOO_LARGE"
    FILE_MISSING = "FILE_MISSING"
    # Every attempt failed, the last without a known cause (a worker that died, a bug).
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    VECTOR_STORE_UNAVAILABLE = "VECTOR_STORE_UNAVAILABLE"
    TRANSIENT_FAILURE = "TRANSIENT_FAILURE"  # another dependency (parser processes, files)
    UNKNOWN = "UNKNOWN"  # failed before causes were kept as codes

    @property
    def is_transient(self) -> bool:
        """The document was not at fault: the same file may well succeed when tried again."""
        return self in _TRANSIENT

    @classmethod
    def of(cls, code: str) -> "FailureCode":
        """The member for an error's code; UNKNOWN for a code this enum does not know."""
        try:
            return cls(code)
        except ValueError:
            return cls.UNKNOWN


_TRANSIENT = frozenset({FailureCode.VECTOR_STORE_UNAVAILABLE, FailureCode.TRANSIENT_FAILURE})
TRANSIENT_FAILURES = sorted(_TRANSIENT)


class Document(Model):
    """An uploaded file and its ingestion state."""

    id = fields.UUIDField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="documents", on_delete=fields.CASCADE
    )
    uploaded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="documents", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=300)
    filename = fields.CharField(max_length=255, description="The client's name; metadata only.")
    kind = fields.CharEnumField(DocumentKind, max_length=16)
    size_bytes = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    # Duplicates are found within what the uploader can see: the organisation's shared
    # documents, or their own private ones. The unique index makes concurrent uploads agree.
    dedupe_scope = fields.CharField(max_length=64)
    visibility = fields.CharEnumField(Visibility, max_length=16, default=Visibility.ORGANIZATION)
    status = fields.CharEnumField(DocumentStatus, max_length=16, default=DocumentStatus.QUEUED)
    progress = fields.FloatField(default=0.0)
    page_count = fields.IntField(null=True)
    chunk_count = fields.IntField(default=0)
    version = fields.IntField(default=1)
    attempts = fields.IntField(default=0)
    # Set when FAILED; while attempts go on, the cause of the last one (if it is transient).
    failure_code = fields.CharEnumField(FailureCode, max_length=64, null=True)
    failure_message = fields.TextField(null=True)
    lease_expires_at = fields.DatetimeField(null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    ready_at = fields.DatetimeField(null=True)

    organization_id: uuid.UUID
    uploaded_by_id: uuid.UUID

    class Meta:
        table = "document"
        unique_together = (("organization", "sha256", "dedupe_scope"),)


class DocumentText(Model):
    """The extracted text of one version: citations' offsets point into it."""

    id = fields.UUIDField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="texts", on_delete=fields.CASCADE
    )
    version = fields.IntField()
    text = fields.TextField()

    document_id: uuid.UUID

    class Meta:
        table = "document_text"
        unique_together = (("document", "version"),)


class Chunk(Model):
    """A retrievable piece of a document version; its id is derived, so retries never duplicate."""

    id = fields.UUIDField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="chunks", on_delete=fields.CASCADE
    )
    version = fields.IntField()
    index = fields.IntField()
    text = fields.TextField()
    start = fields.IntField()
    end = fields.IntField()
    page_start = fields.IntField(null=True)
    page_end = fields.IntField(null=True)
    heading_path: list[str] = fields.JSONField(default=list)
    token_count = fields.IntField()

    document_id: uuid.UUID

    class Meta:
        table = "chunk"
        unique_together = (("document", "version", "index"),)


def chunk_id(document_id: uuid.UUID, version: int, index: int) -> uuid.UUID:
    """The same chunk always gets the same id, in SQL and in the vector store."""
    return uuid.uuid5(document_id, f"{version}:{index}")
