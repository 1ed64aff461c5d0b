"""Uploads stream into local staging: hashed, capped, and nothing left behind on failure."""

import hashlib
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from domain.documents.filestores.base import Staging
from domain.errors import DocumentTooLarge, EmptyDocument


async def stream(pieces: Iterable[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


def staged_files(root: Path) -> list[Path]:
    return sorted((root / "staging").iterdir())


async def test_a_small_upload_is_stored_whole_with_its_hash(tmp_path: Path) -> None:
    store = Staging(tmp_path / "staging")

    staged = await store.receive(stream([b"# Travel", b" policy\n"]), max_bytes=1000)

    assert staged.path.read_bytes() == b"# Travel policy\n"
    assert staged.size_bytes == 16
    assert staged.sha256 == hashlib.sha256(b"# Travel policy\n").hexdigest()


async def test_an_upload_of_several_mebibytes_arrives_byte_for_byte(tmp_path: Path) -> None:
    store = Staging(tmp_path / "staging")
    pieces = [bytes([i]) * 300_000 for i in range(12)]  # 3.6 MB in uneven pieces

    staged = await store.receive(stream(pieces), max_bytes=10_000_000)

    assert staged.path.read_bytes() == b"".join(pieces)
    assert staged.sha256 == hashlib.sha256(b"".join(pieces)).hexdigest()


async def test_an_upload_over_the_cap_stops_and_leaves_nothing(tmp_path: Path) -> None:
    store = Staging(tmp_path / "staging")
    pieces = [b"x" * 600_000] * 5  # over the cap after a mebibyte was already written

    with pytest.raises(DocumentTooLarge):
        await store.receive(stream(pieces), max_bytes=2_000_000)

    assert staged_files(tmp_path) == []


async def test_a_stream_that_breaks_off_leaves_nothing(tmp_path: Path) -> None:
    store = Staging(tmp_path / "staging")

    async def broken() -> AsyncIterator[bytes]:
        yield b"y" * 1_500_000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.receive(broken(), max_bytes=10_000_000)

    assert staged_files(tmp_path) == []


async def test_an_empty_upload_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = Staging(tmp_path / "staging")

    with pytest.raises(EmptyDocument):
        await store.receive(stream([]), max_bytes=1000)

    assert staged_files(tmp_path) == []
