"""The `store` fixture: every contract test runs against the local directory, S3 and the
in-memory fake, which keeps the same promises."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.documents.filestores.base import FileStore
from domain.documents.filestores.local import LocalFileStore
from tests.fakes.filestores import MemoryFileStore
from tests.support.services import require_object_store, s3_file_store


@pytest.fixture(params=["local", "s3", "memory"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileStore]:
    """A started, empty store."""
    files: FileStore
    if request.param == "local":
        files = LocalFileStore(tmp_path / "files")
    elif request.param == "memory":
        files = MemoryFileStore()
    else:
        files = s3_file_store(require_object_store(), tmp_path / "downloads")
    await files.start()
    try:
        yield files
    finally:
        for key in await files.keys():
            await files.delete(key)
        await files.close()
