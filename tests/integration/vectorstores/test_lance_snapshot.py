"""The LanceDB adapter's in-memory snapshot: used only while current, never stale, bounded."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from domain.retrieval.vectorstores import lance_snapshot
from domain.retrieval.vectorstores.exact import Snapshot
from domain.retrieval.vectorstores.lance import LanceVectorStore
from domain.visibility import Visibility
from tests.integration.vectorstores.factories import (
    AS_ADMIN,
    AS_COLLEAGUE,
    AS_OWNER,
    DIMENSIONS,
    ORG,
    axis,
    record,
    toward,
)


@asynccontextmanager
async def started(path: Path, **options: int) -> AsyncIterator[LanceVectorStore]:
    """A LanceDB store on `path`, started, and closed afterwards."""
    store = LanceVectorStore(path, DIMENSIONS, **options)
    await store.start()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def reader(tmp_path: Path) -> AsyncIterator[LanceVectorStore]:
    """The store that searches, holding a snapshot once loaded."""
    async with started(tmp_path / "vectors") as store:
        yield store


@pytest.fixture
async def writer(tmp_path: Path, reader: LanceVectorStore) -> AsyncIterator[LanceVectorStore]:
    """Another store on the same directory, as a worker beside the API server."""
    async with started(tmp_path / "vectors") as store:
        yield store


async def ids_near(store: LanceVectorStore, i: int) -> list[uuid.UUID]:
    return [hit.document_id for hit in await store.search_vector(axis(i), AS_OWNER, 5)]


async def test_a_row_written_after_the_snapshot_is_found_at_once(
    reader: LanceVectorStore, writer: LanceVectorStore
) -> None:
    first = uuid.uuid4()
    await writer.add([record(first, vector=axis(0))])
    assert await reader.load_snapshot()
    second = uuid.uuid4()

    await writer.add([record(second, vector=axis(1))])

    assert await ids_near(reader, 1) == [second, first]


async def test_a_document_deleted_after_the_snapshot_is_never_found(
    reader: LanceVectorStore, writer: LanceVectorStore
) -> None:
    document_id = uuid.uuid4()
    await writer.add([record(document_id, vector=axis(0))])
    assert await reader.load_snapshot()

    await writer.delete_document(ORG, document_id)

    assert await ids_near(reader, 0) == []


async def test_a_stale_snapshot_is_replaced_in_the_background(
    reader: LanceVectorStore, writer: LanceVectorStore
) -> None:
    await writer.add([record(uuid.uuid4(), vector=axis(0))])
    assert await reader.load_snapshot()
    await writer.add([record(uuid.uuid4(), vector=axis(1))])
    assert await reader._snapshots.current(reader._opened()) is None  # stale: LanceDB answers

    for _ in range(100):  # a load starts once the table has been quiet for a second
        if await reader._snapshots.current(reader._opened()) is not None:
            break
        await asyncio.sleep(0.05)

    snapshot = await reader._snapshots.current(reader._opened())
    assert snapshot is not None and snapshot.size == 2


async def test_the_snapshot_and_lancedb_rank_alike_under_the_access_rule(
    reader: LanceVectorStore, writer: LanceVectorStore, tmp_path: Path
) -> None:
    mine = record(uuid.uuid4(), visibility=Visibility.PRIVATE, vector=axis(0))
    shared = record(uuid.uuid4(), vector=toward(0, 1, 0.3))
    await writer.add([mine, shared])
    async with started(tmp_path / "vectors", exact_search_max_rows=0) as lance_only:
        assert await reader.load_snapshot()
        for access in (AS_OWNER, AS_COLLEAGUE, AS_ADMIN):
            exact = await reader.search_vector(axis(0), access, 5)
            lance = await lance_only.search_vector(axis(0), access, 5)
            assert [hit.id for hit in exact] == [hit.id for hit in lance]
            assert [hit.score for hit in exact] == pytest.approx([hit.score for hit in lance])


async def test_a_table_over_the_limit_gets_no_snapshot_and_still_answers(tmp_path: Path) -> None:
    async with started(tmp_path / "vectors", exact_search_max_rows=1) as store:
        documents = [uuid.uuid4(), uuid.uuid4()]
        await store.add(
            [record(documents[0], vector=axis(0)), record(documents[1], vector=axis(1))]
        )

        assert not await store.load_snapshot()

        assert await ids_near(store, 1) == [documents[1], documents[0]]


async def test_a_snapshot_read_while_the_table_moved_on_is_discarded(
    reader: LanceVectorStore, writer: LanceVectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await writer.add([record(uuid.uuid4(), vector=axis(0))])
    table = reader._opened()
    real_version = table.version
    calls = 0

    async def version_moving_on_after_the_first_read() -> int:
        nonlocal calls
        calls += 1
        return await real_version() + (calls > 1)

    monkeypatch.setattr(table, "version", version_moving_on_after_the_first_read)

    assert not await reader.load_snapshot()


async def test_a_search_too_large_to_run_inline_gives_the_same_hits_from_a_thread(
    reader: LanceVectorStore, writer: LanceVectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await writer.add([record(uuid.uuid4(), index, vector=axis(index)) for index in range(4)])
    assert await reader.load_snapshot()
    inline = await reader.search_vector(axis(2), AS_OWNER, 3)

    monkeypatch.setattr(lance_snapshot, "INLINE_SEARCH_MAX_ROWS", 0)

    assert await reader.search_vector(axis(2), AS_OWNER, 3) == inline


async def test_no_snapshot_is_loaded_while_the_table_keeps_changing(
    reader: LanceVectorStore, writer: LanceVectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await writer.add([record(uuid.uuid4(), vector=axis(0))])
    assert await reader.load_snapshot()
    monkeypatch.setattr(lance_snapshot, "SNAPSHOT_QUIET_SECONDS", 60.0)

    for index in range(1, 4):
        await writer.add([record(uuid.uuid4(), vector=axis(index))])
        assert len(await reader.search_vector(axis(0), AS_OWNER, 10)) == index + 1

    assert reader._snapshots.background_load is None


async def test_a_failed_load_is_logged_and_searches_still_answer(
    reader: LanceVectorStore,
    writer: LanceVectorStore,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    document_id = uuid.uuid4()
    await writer.add([record(document_id, vector=axis(0))])

    def out_of_memory(*args: object) -> None:
        raise MemoryError("no room for the snapshot")

    monkeypatch.setattr(Snapshot, "from_arrow", out_of_memory)

    assert not await reader.load_snapshot()
    assert "loading the exact search snapshot failed" in caplog.text
    assert await ids_near(reader, 0) == [document_id]
