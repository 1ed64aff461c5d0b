"""What every file store promises: run against the local directory, a real S3 server and the
in-memory fake."""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest

from domain.documents.filestores.base import FileStore, StagedFile, StoredFileMissing


def staged(tmp_path: Path, content: bytes) -> StagedFile:
    """A staged upload with these bytes."""
    path = tmp_path / f"staged-{hashlib.sha256(content).hexdigest()[:12]}"
    path.write_bytes(content)
    return StagedFile(path, len(content), hashlib.sha256(content).hexdigest())


async def test_a_kept_file_comes_back_byte_for_byte_and_leaves_staging(
    store: FileStore, tmp_path: Path
) -> None:
    upload = staged(tmp_path, b"# Travel policy\nTrains under four hours.\n")

    key = await store.keep(upload)

    assert not upload.path.exists()
    async with store.local_copy(key) as copy:
        assert copy.read_bytes() == b"# Travel policy\nTrains under four hours.\n"


async def test_a_file_of_several_parts_round_trips_intact(store: FileStore, tmp_path: Path) -> None:
    content = os.urandom(20 * 1024 * 1024 + 123)  # three multipart parts on S3
    upload = staged(tmp_path, content)

    key = await store.keep(upload)

    async with store.local_copy(key) as copy:
        assert copy.stat().st_size == len(content)
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == upload.sha256


async def test_read_streams_a_file_of_several_parts_in_pieces(
    store: FileStore, tmp_path: Path
) -> None:
    content = os.urandom(3 * 1024 * 1024 + 7)
    key = await store.keep(staged(tmp_path, content))

    stored = await store.read(key)
    pieces = [piece async for piece in stored.chunks]

    assert stored.size_bytes == len(content)
    assert len(pieces) > 1
    assert b"".join(pieces) == content


async def test_keys_lists_what_was_kept_and_delete_removes_it_twice_over(
    store: FileStore, tmp_path: Path
) -> None:
    first = await store.keep(staged(tmp_path, b"one"))
    second = await store.keep(staged(tmp_path, b"two"))
    assert await store.keys() == {first, second}

    await store.delete(first)
    await store.delete(first)

    assert await store.keys() == {second}
    with pytest.raises(StoredFileMissing):
        async with store.local_copy(first):
            pass


async def test_a_missing_key_is_reported_as_missing(store: FileStore) -> None:
    with pytest.raises(StoredFileMissing):
        async with store.local_copy("0" * 32):
            pass
    with pytest.raises(StoredFileMissing):
        await store.read("0" * 32)


@pytest.mark.parametrize("key", ["../../etc/passwd", "A" * 32, "0" * 31, "/" + "0" * 31])
async def test_a_key_that_is_not_ours_is_refused(store: FileStore, key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        async with store.local_copy(key):
            pass
    with pytest.raises(ValueError, match="not a storage key"):
        await store.read(key)
    with pytest.raises(ValueError, match="not a storage key"):
        await store.delete(key)


async def test_an_empty_store_has_no_keys(store: FileStore) -> None:
    assert await store.keys() == set()


async def test_keys_can_leave_out_files_stored_moments_ago(
    store: FileStore, tmp_path: Path
) -> None:
    key = await store.keep(staged(tmp_path, b"an upload whose row is being inserted"))

    assert await store.keys(older_than=timedelta(minutes=15)) == set()
    assert await store.keys() == {key}
