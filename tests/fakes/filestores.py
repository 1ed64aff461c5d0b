"""An in-memory `FileStore`: kept files are bytes in a dict; `local_copy` writes them to a
temporary file for the block, as the S3 store downloads. It passes the file-store contract
suite (tests/integration/documents/filestores) beside the local directory and S3."""

import tempfile
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from domain.documents.filestores.base import (
    StagedFile,
    StoredBytes,
    StoredFileMissing,
    checked_key,
    new_key,
)

# What `read` yields at a time: a large file streams in several pieces, as from a real store.
PIECE_BYTES = 256 * 1024


@dataclass(frozen=True)
class _Stored:
    content: bytes
    stored_at: float  # seconds, on the store's clock


class MemoryFileStore:
    """Keeps files in memory; `clock` (seconds) says when each was stored, for `keys`. Counts
    how many times it was started and closed."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._files: dict[str, _Stored] = {}
        self.started = self.closed = 0

    async def start(self) -> None:
        """Nothing to reach."""
        self.started += 1

    async def close(self) -> None:
        """Nothing to release: the files stay, as on a disk."""
        self.closed += 1

    async def keep(self, staged: StagedFile) -> str:
        """Read the staged file in and remove it."""
        key = new_key()
        self._files[key] = _Stored(staged.path.read_bytes(), self._clock())
        staged.path.unlink(missing_ok=True)
        return key

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        """The bytes in a temporary file, removed when the block ends."""
        stored = self._stored(key)
        with tempfile.TemporaryDirectory(prefix="beacon-memory-files-") as folder:
            path = Path(folder) / key
            path.write_bytes(stored.content)
            yield path

    async def read(self, key: str) -> StoredBytes:
        """The bytes, `PIECE_BYTES` at a time."""
        stored = self._stored(key)
        return StoredBytes(len(stored.content), _pieces(stored.content))

    async def delete(self, key: str) -> None:
        """Forget the file (idempotent)."""
        self._files.pop(checked_key(key), None)

    async def keys(self, older_than: timedelta = timedelta(0)) -> set[str]:
        """Every key stored at least `older_than` ago."""
        cutoff = self._clock() - older_than.total_seconds()
        return {key for key, stored in self._files.items() if stored.stored_at <= cutoff}

    def _stored(self, key: str) -> _Stored:
        stored = self._files.get(checked_key(key))
        if stored is None:
            raise StoredFileMissing(key)
        return stored


async def _pieces(content: bytes) -> AsyncGenerator[bytes, None]:
    for start in range(0, len(content), PIECE_BYTES):
        yield content[start : start + PIECE_BYTES]
