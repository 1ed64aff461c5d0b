"""The S3 adapter's own promises: downloads are temporary, and failures name the store."""

from pathlib import Path

import pytest

from domain.documents.filestores.base import StagedFile
from domain.documents.filestores.s3 import ObjectStoreError
from tests.support.live_server import free_port
from tests.support.services import require_object_store, s3_file_store


async def test_the_downloaded_copy_is_removed_when_the_block_ends(tmp_path: Path) -> None:
    store = s3_file_store(require_object_store(), tmp_path / "downloads")
    await store.start()
    source = tmp_path / "upload"
    source.write_bytes(b"quarterly report")
    key = await store.keep(StagedFile(source, 16, "unused"))
    try:
        async with store.local_copy(key) as copy:
            assert copy.read_bytes() == b"quarterly report"
        assert not copy.exists()
        assert list((tmp_path / "downloads").iterdir()) == []
    finally:
        await store.delete(key)


async def test_start_names_the_store_when_its_credentials_are_wrong(tmp_path: Path) -> None:
    store = s3_file_store(require_object_store(), tmp_path / "downloads", secret_access_key="wrong")

    with pytest.raises(ObjectStoreError, match=r"object store s3://beacon-test at http"):
        await store.start()


async def test_start_names_the_store_when_the_bucket_does_not_exist(tmp_path: Path) -> None:
    store = s3_file_store(
        require_object_store(), tmp_path / "downloads", bucket="no-such-bucket-here"
    )

    with pytest.raises(ObjectStoreError, match="s3://no-such-bucket-here"):
        await store.start()


async def test_start_names_the_store_when_nothing_listens(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    store = s3_file_store(
        require_object_store(), tmp_path / "downloads", endpoint=endpoint, max_retries=0
    )

    with pytest.raises(ObjectStoreError, match=f"object store s3://beacon-test at {endpoint}"):
        await store.start()


async def test_an_upload_to_a_store_that_is_down_fails_and_keeps_the_staged_file(
    tmp_path: Path,
) -> None:
    store = s3_file_store(
        require_object_store(),
        tmp_path / "downloads",
        endpoint=f"http://127.0.0.1:{free_port()}",
        max_retries=0,
    )
    source = tmp_path / "upload"
    source.write_bytes(b"minutes of the board")

    with pytest.raises(ObjectStoreError, match="upload to s3://beacon-test"):
        await store.keep(StagedFile(source, 20, "unused"))

    assert source.read_bytes() == b"minutes of the board"  # the caller decides what to do
