"""The embedded default's file store: a directory on the local disk."""

import asyncio
import os
import time
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from domain.documents.filestores.base import (
    StagedFile,
    StoredBytes,
    StoredFileMissing,
    checked_key,
    new_key,
)

_READ_BYTES = 256 * 1024


class LocalFileStore:
    """Keeps files in `root/<key>`; staged files move in with a rename (same filesystem)."""

    def __init__(self, root: Path) -> None:
        self._root = root

    async def start(self) -> None:
        """Create the directory."""
        self._root.mkdir(parents=True, exist_ok=True)

    async def close(self) -> None:
        """Nothing to release."""

    async def keep(self, staged: StagedFile) -> str:
        """Rename the staged file into the store."""
        key = new_key()
        await asyncio.to_thread(self._move, staged.path, self._root / key)
        return key

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        """The stored file itself: it is already local."""
        path = self._root / checked_key(key)
        if not path.is_file():
            raise StoredFileMissing(key)
        yield path

    async def read(self, key: str) -> StoredBytes:
        """The file, read a piece at a time in a thread."""
        path = self._root / checked_key(key)
        try:
            size = (await asyncio.to_thread(path.stat)).st_size
        except FileNotFoundError:
            raise StoredFileMissing(key) from None
        return StoredBytes(size, _pieces(path))

    async def delete(self, key: str) -> None:
        """Remove the file (idempotent)."""
        (self._root / checked_key(key)).unlink(missing_ok=True)

    async def keys(self, older_than: timedelta = timedelta(0)) -> set[str]:
        """Every key whose file was last written at least `older_than` ago."""
        if not self._root.exists():
            return set()
        cutoff = time.time() - older_than.total_seconds()
        return {
            path.name
            for path in self._root.iterdir()
            if path.is_file() and path.stat().st_mtime <= cutoff
        }

    def _move(self, source: Path, target: Path) -> None:
        self._root.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


async def _pieces(path: Path) -> AsyncGenerator[bytes, None]:
    # Opened on the first piece, so a stream that is never read holds no file open.
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while piece := await asyncio.to_thread(handle.read, _READ_BYTES):
            yield piece
    finally:
        handle.close()
