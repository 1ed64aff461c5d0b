"""What only the in-memory fake does (the contract suite runs it beside the real adapters):
tables shared by the stores opened on them, one per embedding model, as `ModelSpaces` needs."""

import uuid

import pytest

from domain.retrieval.catalogue import EmbedderCatalogue
from domain.retrieval.spaces import ModelSpaces
from tests.fakes.embedders import HashEmbedder
from tests.fakes.vectorstores import MemoryVectorStore, MemoryVectorTables
from tests.integration.vectorstores.factories import AS_OWNER, DIMENSIONS, ORG, record


async def test_a_store_on_the_same_table_sees_writes_at_once_and_another_table_does_not() -> None:
    tables = MemoryVectorTables()
    writer, reader = tables.open("model", DIMENSIONS), tables.open("model", DIMENSIONS)
    await writer.start()
    await reader.start()
    document_id = uuid.uuid4()

    await writer.upsert([record(document_id, text="a kestrel hovers")])

    assert [h.document_id for h in await reader.search_text("kestrel", AS_OWNER, 5)] == [
        document_id
    ]
    other = tables.open("another model", DIMENSIONS)
    await other.start()
    assert await other.count(ORG) == 0


async def test_reopening_a_table_with_another_vector_size_is_refused() -> None:
    tables = MemoryVectorTables()
    await tables.open("model", DIMENSIONS).start()

    with pytest.raises(ValueError, match="vectors of another size"):
        await tables.open("model", DIMENSIONS * 2).start()


async def test_a_store_used_before_start_or_after_close_says_so() -> None:
    store = MemoryVectorStore(DIMENSIONS)
    with pytest.raises(RuntimeError, match="start"):
        await store.count(ORG)
    await store.start()
    await store.close()
    with pytest.raises(RuntimeError, match="start"):
        await store.upsert([record(uuid.uuid4())])
    assert (store.started, store.closed) == (1, 1)


async def test_every_write_is_kept_in_order_as_given() -> None:
    store = MemoryVectorStore(DIMENSIONS)
    await store.start()
    first, second = record(uuid.uuid4()), record(uuid.uuid4())

    await store.add([first])
    await store.upsert([second, first])

    assert store.writes == [[first], [second, first]]


async def test_model_spaces_open_a_started_store_per_model_on_the_tables() -> None:
    tables = MemoryVectorTables()
    configured = tables.open("hash-old", 64)
    catalogue = EmbedderCatalogue(HashEmbedder("hash-old", 64))
    catalogue.add(HashEmbedder("hash-new", 96))
    spaces = ModelSpaces(catalogue, tables.open, configured)
    await configured.start()

    new = await spaces.store("hash-new")

    assert await new.ready()
    assert await spaces.store("hash-old") is configured
    assert {name: table.dimensions for name, table in tables.tables.items()} == {
        "hash-old": 64,
        "hash-new": 96,
    }
    await spaces.close()
    assert not await new.ready()
