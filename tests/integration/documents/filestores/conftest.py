"""The `store` fixture: every contract test runs against the local directory and S3."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.documents.filestores.base import FileStore
from domain.documents.filestores.local import LocalFileStore
from domain.documents.filestores.s3 import S3FileStore
from tests.support.services import ObjectStoreServer, require_object_store


def s3_store(server: ObjectStoreServer, tmp_path: Path, **overrides: object) -> S3FileStore:
    """An S3 file store under a prefix of its own in the test bucket."""
    values: dict[str, object] = {
        "endpoint": server.endpoint,
        "region": server.region,
        "access_key_id": server.access_key_id,
        "secret_access_key": server.secret_access_key,
        "download_dir": tmp_path / "downloads",
        "prefix": f"test-{uuid.uuid4().hex}/",
    }
    values.update(overrides)
    bucket = str(values.pop("bucket", server.bucket))
    return S3FileStore(bucket, **values)  # type: ignore[arg-type]


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileStore]:
    """A started, empty store."""
    files: FileStore
    if request.param == "local":
        files = LocalFileStore(tmp_path / "files")
    else:
        files = s3_store(require_object_store(), tmp_path)
    await files.start()
    try:
        yield files
    finally:
        for key in await files.keys():
            await files.delete(key)
        await files.close()
