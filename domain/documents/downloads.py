"""Signed download links: a short-lived grant to one version of one document's file.

A browser opens the original file as a plain link (a citation, `#page=N` for PDFs), so the
link carries no bearer token: its signature is the authority. It is an HMAC-SHA256 over the
document id, the version and the expiry, under a key derived from the secret key for this
purpose alone (a link's signature can never pass for a JWT's, nor the other way round).
Access was checked when the link was made: whoever could see the document then may fetch
its file until the link expires, a few minutes later. A new version or a deletion ends the
link at once.
"""

import base64
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

from domain.documents.filestores.base import FileStore, StoredFileMissing
from domain.documents.kinds import DocumentKind
from domain.documents.models import Document
from domain.documents.services import storage_key
from domain.errors import TransientFailure

log = logging.getLogger(__name__)

_PURPOSE = b"beacon download link v1"


@dataclass(frozen=True)
class DownloadLink:
    """What a link names and proves: a document's version, until `expires` (Unix seconds)."""

    document_id: uuid.UUID
    version: int
    expires: int
    signature: str


@dataclass(frozen=True)
class Download:
    """An open download: what the file is, and its bytes a piece at a time."""

    filename: str
    kind: DocumentKind
    size_bytes: int
    chunks: AsyncGenerator[bytes, None]


class Downloads:
    """Signs links for a fixed lifetime, verifies them and opens the files they name."""

    def __init__(
        self,
        secret: str,
        ttl_seconds: int,
        files: FileStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
        self._ttl = ttl_seconds
        self._files = files
        self._clock = clock

    def sign(self, document_id: uuid.UUID, version: int) -> DownloadLink:
        """A link to this version, valid for the lifetime from now (callers checked access)."""
        expires = int(self._clock()) + self._ttl
        return DownloadLink(
            document_id, version, expires, self._signature(document_id, version, expires)
        )

    def verify(self, document_id: str, version: str, expires: str, signature: str) -> bool:
        """Whether these parts, as the link carried them, are a link we signed that has not
        expired. Anything malformed is simply not one."""
        try:
            wanted = uuid.UUID(document_id)
        except ValueError:
            return False
        if str(wanted) != document_id:  # one spelling per link: the signed one
            return False
        if not (_is_number(version) and _is_number(expires)):
            return False
        expected = self._signature(wanted, int(version), int(expires))
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return False
        return self._clock() < int(expires)

    async def open(
        self, document_id: str, version: str, expires: str, signature: str
    ) -> Download | None:
        """The file a valid link names; None for an invalid or expired link, a document that
        is gone, or a version that is no longer current (the caller cannot tell which).

        The signature is checked first: a forged link costs no query and learns nothing.
        """
        if not self.verify(document_id, version, expires, signature):
            return None
        document = await Document.get_or_none(id=uuid.UUID(document_id))
        if document is None or document.version != int(version):
            return None
        try:
            stored = await self._files.read(storage_key(document.id))
        except StoredFileMissing:
            return None  # deleted a moment ago: the purge removed the file after the row
        except Exception as error:
            log.warning("reading the file of document %s failed: %s", document.id, error)
            raise TransientFailure("The file cannot be read right now; try again.") from error
        return Download(document.filename, document.kind, stored.size_bytes, stored.chunks)

    def _signature(self, document_id: uuid.UUID, version: int, expires: int) -> str:
        message = f"{document_id}:{version}:{expires}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _is_number(text: str) -> bool:
    # Canonical ASCII decimals only: int() also takes "+5", " 5", "05" and other scripts' digits.
    return text.isascii() and text.isdigit() and len(text) <= 12 and text == str(int(text))
