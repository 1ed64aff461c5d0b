"""The file store port, and the local staging every upload passes through first.

An upload always lands in a local staging file: type sniffing and the sha256 need the bytes
on disk, whatever keeps them afterwards. `FileStore.keep` then moves the staged file into the
store under a generated key (the document's id), and removes the staged copy.
"""

import asyncio
import hashlib
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Protocol

from domain.errors import DocumentTooLarge, EmptyDocument

_WRITE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class StagedFile:
    """A received upload, hashed and counted, not yet attached to a document."""

    path: Path
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class StoredBytes:
    """A stored file being read: its size, and its bytes a piece at a time."""

    size_bytes: int
    chunks: AsyncGenerator[bytes, None]


class StoredFileMissing(LookupError):
    """The store has no file under that key."""


class FileStore(Protocol):
    """Keeps uploaded files under generated keys (32 lowercase hex digits)."""

    async def start(self) -> None:
        """Check the store can be reached; raises with a one-line reason when it cannot."""

    async def close(self) -> None:
        """Release connections."""

    async def keep(self, staged: StagedFile) -> str:
        """Move a staged file into the store and return its new key; the staged copy is gone
        afterwards. A failure leaves nothing stored under that key."""

    def local_copy(self, key: str) -> AbstractAsyncContextManager[Path]:
        """A local file with the stored bytes for the duration of the block (a download for
        remote stores, removed afterwards); raises `StoredFileMissing`."""

    async def read(self, key: str) -> StoredBytes:
        """The stored bytes as a stream, never whole in memory (downloads); raises
        `StoredFileMissing` before the first byte. The stream releases what it opened once
        exhausted or closed."""

    async def delete(self, key: str) -> None:
        """Remove a stored file (idempotent)."""

    async def keys(self, older_than: timedelta = timedelta(0)) -> set[str]:
        """Every key stored at least `older_than` ago, for reconciliation."""


def new_key() -> str:
    """A fresh storage key: random, never a client-supplied name."""
    return uuid.uuid4().hex


def checked_key(key: str) -> str:
    """The key itself when it is one of ours (32 lowercase hex digits); anything else is refused."""
    if len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Staging:
    """Uploads stream into `root/<random name>`, hashed and size-capped as they come."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def receive(self, chunks: AsyncIterator[bytes], max_bytes: int) -> StagedFile:
        """Write a stream to a staging file, hashing it and enforcing the size cap as it comes.

        Bytes are written a mebibyte at a time, so a small upload costs one trip to a
        thread (open, write, close together) rather than one per file operation.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / uuid.uuid4().hex
        digest = hashlib.sha256()
        size = 0
        pending = bytearray()
        out: BinaryIO | None = None
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise DocumentTooLarge(f"The file is larger than {max_bytes} bytes.")
                digest.update(chunk)
                pending += chunk
                if len(pending) >= _WRITE_BYTES:
                    out = await asyncio.to_thread(_write, path, out, bytes(pending), False)
                    pending.clear()
            await asyncio.to_thread(_write, path, out, bytes(pending), True)
        except BaseException:
            if out is not None:
                out.close()
            path.unlink(missing_ok=True)
            raise
        if size == 0:
            path.unlink(missing_ok=True)
            raise EmptyDocument("The file is empty.")
        return StagedFile(path=path, size_bytes=size, sha256=digest.hexdigest())

    def discard(self, staged: StagedFile) -> None:
        """Forget a staged file that will not be kept."""
        staged.path.unlink(missing_ok=True)


def _write(path: Path, out: BinaryIO | None, data: bytes, last: bool) -> BinaryIO | None:
    """Append to the staging file, opening it first if need be and closing it after the
    last piece; returns the still open file, or None once closed."""
    if out is None:
        out = path.open("xb")  # a new random name: never someone else's file
    try:
        out.write(data)
    except BaseException:
        out.close()
        raise
    if last:
        out.close()
        return None
    return out
