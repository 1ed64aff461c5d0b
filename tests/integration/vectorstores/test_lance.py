"""What only the LanceDB adapter does: shared directories, dimensions, optimize() and its index."""

import random
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import lancedb
import pytest
from lancedb.index import FTS, IndexConfig

from domain.retrieval.vectorstores.lance import LanceVectorStore
from domain.retrieval.vectorstores.lance_table import TABLE_NAME, TEXT_INDEX
from domain.visibility import Visibility
from tests.integration.vectorstores.factories import (
    AS_COLLEAGUE,
    AS_OWNER,
    COLLEAGUE,
    DIMENSIONS,
    ORG,
    axis,
    record,
    toward,
)

SMALL_INDEX_THRESHOLD = 300


@pytest.fixture
async def lance(tmp_path: Path) -> AsyncIterator[LanceVectorStore]:
    """A started store whose ANN index is due from SMALL_INDEX_THRESHOLD rows, and whose
    dense searches always go through it (no in-memory snapshot)."""
    store = LanceVectorStore(
        tmp_path / "vectors",
        DIMENSIONS,
        vector_index_min_rows=SMALL_INDEX_THRESHOLD,
        exact_search_max_rows=0,
    )
    await store.start()
    try:
        yield store
    finally:
        await store.close()


async def test_a_second_store_on_the_same_directory_sees_writes_at_once(tmp_path: Path) -> None:
    writer = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
    reader = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
    await writer.start()
    await reader.start()
    try:
        assert await reader.search_text("kestrel", AS_OWNER, 5) == []
        document_id = uuid.uuid4()

        await writer.upsert([record(document_id, text="a kestrel hovers")])

        assert [h.document_id for h in await reader.search_text("kestrel", AS_OWNER, 5)] == [
            document_id
        ]
        assert await reader.count(ORG, document_id) == 1
    finally:
        await writer.close()
        await reader.close()


async def test_reopening_with_another_vector_size_is_refused(tmp_path: Path) -> None:
    first = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
    await first.start()
    await first.close()

    with pytest.raises(ValueError, match="vectors of another size"):
        await LanceVectorStore(tmp_path / "vectors", DIMENSIONS * 2).start()


async def test_reopening_keeps_the_data_and_indexes(tmp_path: Path) -> None:
    document_id = uuid.uuid4()
    first = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
    await first.start()
    await first.upsert([record(document_id, text="persisted osprey")])
    await first.close()

    again = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
    await again.start()
    try:
        assert [h.document_id for h in await again.search_text("osprey", AS_OWNER, 5)] == [
            document_id
        ]
    finally:
        await again.close()


async def _text_index(path: Path) -> IndexConfig:
    connection = await lancedb.connect_async(path)
    table = await connection.open_table(TABLE_NAME)
    try:
        [index] = [index for index in await table.list_indices() if index.name == TEXT_INDEX]
        return index
    finally:
        table.close()  # type: ignore[no-untyped-call]
        connection.close()  # type: ignore[no-untyped-call]


async def test_a_text_index_with_lancedbs_own_stop_words_is_rebuilt_at_start(
    tmp_path: Path,
) -> None:
    document_id = uuid.uuid4()
    first = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
    await first.start()
    await first.upsert([record(document_id, text="what you should know")])
    await first.close()
    # The index as Beacon built it before it gave LanceDB the shared stop words.
    connection = await lancedb.connect_async(tmp_path / "vectors")
    table = await connection.open_table(TABLE_NAME)
    await table.create_index("text", config=FTS(), name=TEXT_INDEX, replace=True)
    assert await table.query().nearest_to_text("you", columns="text").to_list() == []
    table.close()  # type: ignore[no-untyped-call]
    connection.close()  # type: ignore[no-untyped-call]

    again = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
    await again.start()
    try:
        assert [h.document_id for h in await again.search_text("you", AS_OWNER, 5)] == [document_id]
    finally:
        await again.close()


async def test_a_text_index_with_the_shared_stop_words_is_kept_at_start(tmp_path: Path) -> None:
    first = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
    await first.start()
    await first.close()
    built = await _text_index(tmp_path / "vectors")

    again = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
    await again.start()
    await again.close()

    assert (await _text_index(tmp_path / "vectors")).index_uuid == built.index_uuid


async def test_a_store_used_before_start_says_so(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="start"):
        await LanceVectorStore(tmp_path, DIMENSIONS).count(ORG, uuid.uuid4())


async def test_optimize_below_the_threshold_builds_no_vector_index(
    lance: LanceVectorStore,
) -> None:
    await lance.upsert([record(uuid.uuid4(), i, text="heron") for i in range(10)])

    await lance.optimize()
    await lance.optimize()

    assert not await lance.has_vector_index()
    assert len(await lance.search_text("heron", AS_OWNER, 20)) == 10


async def test_text_search_stays_fresh_across_optimize_and_later_upserts(
    lance: LanceVectorStore,
) -> None:
    indexed, rewritten, fresh = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await lance.upsert(
        [record(indexed, text="plover indexed early"), record(rewritten, text="old plover text")]
    )
    await lance.optimize()  # the FTS index now covers both rows

    await lance.upsert(
        [record(rewritten, text="replacement sandpiper text"), record(fresh, text="plover again")]
    )

    assert {h.document_id for h in await lance.search_text("plover", AS_OWNER, 10)} == {
        indexed,
        fresh,
    }
    assert [h.document_id for h in await lance.search_text("sandpiper", AS_OWNER, 10)] == [
        rewritten
    ]


async def test_upserting_indexed_records_again_keeps_one_copy(lance: LanceVectorStore) -> None:
    document_id = uuid.uuid4()
    records = [record(document_id, i) for i in range(5)]
    await lance.upsert(records)
    await lance.optimize()  # the id index now covers the rows

    await lance.upsert(records)
    await lance.upsert([*records, record(document_id, 5)])

    assert await lance.count(ORG, document_id) == 6


async def test_optimize_above_the_threshold_builds_an_index_that_still_prefilters(
    lance: LanceVectorStore,
) -> None:
    rng = random.Random(7)
    # Private records of another user, all close to axis 0 ...
    forbidden = [
        record(
            uuid.uuid4(),
            visibility=Visibility.PRIVATE,
            vector=[1.0] + [rng.uniform(-0.1, 0.1) for _ in range(DIMENSIONS - 1)],
        )
        for _ in range(SMALL_INDEX_THRESHOLD)
    ]
    # ... and five the colleague may see, much further away.
    allowed = [
        record(
            uuid.uuid4(),
            owner_id=COLLEAGUE,
            visibility=Visibility.ORGANIZATION,
            vector=toward(0, 2, 1.2),
        )
        for _ in range(5)
    ]
    await lance.upsert(forbidden + allowed)

    await lance.optimize()

    assert await lance.has_vector_index()
    hits = await lance.search_vector(axis(0), AS_COLLEAGUE, limit=5)
    assert {hit.document_id for hit in hits} == {r.document_id for r in allowed}
    # The owner's nearest hit is still found (close to exact) through the index.
    [best] = await lance.search_vector(forbidden[0].vector, AS_OWNER, limit=1)
    assert best.score == pytest.approx(1.0, abs=1e-2)


async def test_optimize_again_with_nothing_new_is_a_no_op(lance: LanceVectorStore) -> None:
    await lance.upsert([record(uuid.uuid4(), i) for i in range(3)])
    await lance.optimize()
    table = lance._opened()
    version = await table.version()

    await lance.optimize()

    assert await table.version() == version
