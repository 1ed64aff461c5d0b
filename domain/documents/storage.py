"""Uploaded files on local disk, always under generated names."""

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from domain.errors import DocumentTooLarge, EmptyDocument

_WRITE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class StagedFile:
    """A received upload, hashed and counted, not yet attached to a document."""

    path: Path
    size_bytes: int
    sha256: str


class FileStore:
    """Keeps files in `root/files/<key>`; uploads stream into `root/staging` first."""

    def __init__(self, root: Path) -> None:
        self._files = root / "files"
        self._staging = root / "staging"

    async def receive(self, chunks: AsyncIterator[bytes], max_bytes: int) -> StagedFile:
        """Write a stream to a staging file, hashing it and enforcing the size cap as it comes.

        Bytes are written a mebibyte at a time, so a small upload costs one trip to a
        thread (open, write, close together) rather than one per file operation.
        """
        self._staging.mkdir(parents=True, exist_ok=True)
        path = self._staging / uuid.uuid4().hex
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

    def keep(self, staged: StagedFile) -> str:
        """Move a staged file into the store; returns its generated key."""
        self._files.mkdir(parents=True, exist_ok=True)
        key = uuid.uuid4().hex
        os.replace(staged.path, self._files / key)
        return key

    def discard(self, staged: StagedFile) -> None:
        """Forget a staged file that will not be kept."""
        staged.path.unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        """Where a stored file lives; keys are our own hex names, anything else is refused."""
        if len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a storage key: {key!r}")
        return self._files / key

    def delete(self, key: str) -> None:
        """Remove a stored file (idempotent)."""
        self.path(key).unlink(missing_ok=True)

    def keys(self) -> set[str]:
        """Every stored key, for reconciliation."""
        if not self._files.exists():
            return set()
        return {p.name for p in self._files.iterdir() if p.is_file()}


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
