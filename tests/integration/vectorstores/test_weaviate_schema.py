"""An existing Weaviate collection is checked at start-up: what Beacon cannot serve stops it with
one line naming the problem, what it can serve (extra named vectors) is fine."""

import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from weaviate import WeaviateAsyncClient
from weaviate.classes.config import (
    Configure,
    DataType,
    Property,
    Tokenization,
    VectorDistances,
)

from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from domain.retrieval.vectorstores.weaviate_schema import PROPERTIES, WeaviateSchemaMismatch
from tests.integration.vectorstores.factories import AS_OWNER, DIMENSIONS, axis, record
from tests.support.services import WeaviateServer

COSINE = VectorDistances.COSINE
MakeStore = Callable[..., WeaviateVectorStore]


def vector(name: str, distance: VectorDistances = COSINE) -> Any:  # the client's type is private
    """A self-provided named vector compared by `distance`."""
    return Configure.Vectors.self_provided(
        name=name, vector_index_config=Configure.VectorIndex.hnsw(distance_metric=distance)
    )


async def create(
    client: WeaviateAsyncClient,
    name: str,
    vectors: list[Any] | None = None,
    *,
    multi_tenant: bool = True,
    properties: list[Property] = PROPERTIES,
) -> None:
    """A collection as someone else (an operator, an older Beacon) might have made it."""
    await client.collections.create(
        name,
        properties=properties,
        vector_config=vectors if vectors is not None else [vector("chunk")],
        multi_tenancy_config=Configure.multi_tenancy(enabled=multi_tenant),
    )


@pytest.fixture
def store_for(weaviate_server: WeaviateServer, collection: str) -> MakeStore:
    """Makes (unstarted) stores on the test's collection."""

    def make(dimensions: int = DIMENSIONS, vector_name: str = "chunk") -> WeaviateVectorStore:
        return WeaviateVectorStore(
            weaviate_server.url,
            weaviate_server.api_key,
            dimensions,
            collection=collection,
            grpc_port=weaviate_server.grpc_port,
            vector_name=vector_name,
        )

    return make


async def mismatch(store: WeaviateVectorStore) -> str:
    """The one line `store.start()` fails with."""
    with pytest.raises(WeaviateSchemaMismatch) as failure:
        await store.start()
    message = str(failure.value)
    assert "\n" not in message
    return message


async def test_a_collection_without_multi_tenancy_stops_start(
    weaviate_client: WeaviateAsyncClient, collection: str, store_for: MakeStore
) -> None:
    await create(weaviate_client, collection, multi_tenant=False)

    assert await mismatch(store_for()) == (
        f"Weaviate collection {collection}: multi-tenancy is off; "
        "Beacon keeps one tenant per organisation"
    )


async def test_a_collection_without_the_named_vector_stops_start_naming_it(
    weaviate_client: WeaviateAsyncClient, collection: str, store_for: MakeStore
) -> None:
    await create(weaviate_client, collection, [vector("minilm"), vector("e5")])

    assert await mismatch(store_for()) == (
        f"Weaviate collection {collection}: no named vector 'chunk' (it has 'e5', 'minilm')"
    )


async def test_a_named_vector_compared_by_dot_product_stops_start(
    weaviate_client: WeaviateAsyncClient, collection: str, store_for: MakeStore
) -> None:
    await create(weaviate_client, collection, [vector("chunk", VectorDistances.DOT)])

    assert await mismatch(store_for()) == (
        f"Weaviate collection {collection}: named vector 'chunk' uses dot distance, "
        "Beacon's scores need cosine"
    )


async def test_stored_vectors_of_another_size_stop_start_naming_both_sizes(
    collection: str, store_for: MakeStore
) -> None:
    first = store_for(DIMENSIONS)
    await first.start()
    await first.upsert([record(uuid.uuid4())])
    await first.close()

    assert await mismatch(store_for(DIMENSIONS * 2)) == (
        f"Weaviate collection {collection}: named vector 'chunk' has {DIMENSIONS} dimensions, "
        f"Beacon's embedder makes {DIMENSIONS * 2}"
    )


async def test_an_id_property_tokenized_by_word_stops_start(
    weaviate_client: WeaviateAsyncClient, collection: str, store_for: MakeStore
) -> None:
    by_word = Property(name="owner_id", data_type=DataType.TEXT, tokenization=Tokenization.WORD)
    properties = [by_word if p.name == "owner_id" else p for p in PROPERTIES]
    await create(weaviate_client, collection, properties=properties)

    assert await mismatch(store_for()) == (
        f"Weaviate collection {collection}: property 'owner_id' is tokenized by word; "
        "Beacon's filters need whole-value (field) matches"
    )


async def test_a_missing_property_stops_start_naming_it(
    weaviate_client: WeaviateAsyncClient, collection: str, store_for: MakeStore
) -> None:
    await create(
        weaviate_client, collection, properties=[p for p in PROPERTIES if p.name != "visibility"]
    )

    assert await mismatch(store_for()) == (
        f"Weaviate collection {collection}: no property 'visibility'"
    )


async def test_other_named_vectors_beside_the_stores_own_are_fine(
    weaviate_client: WeaviateAsyncClient, collection: str, store_for: MakeStore
) -> None:
    # A later model's vectors, with another size and distance, sit beside Beacon's.
    await create(
        weaviate_client, collection, [vector("chunk"), vector("next_model", VectorDistances.DOT)]
    )
    store = store_for()

    await store.start()
    try:
        stored = record(uuid.uuid4(), vector=axis(3))
        await store.upsert([stored])
        assert [hit.id for hit in await store.search_vector(axis(3), AS_OWNER, 1)] == [stored.id]
    finally:
        await store.close()
    # The check reads the store's own vector: one named for the other model is refused.
    assert "named vector 'next_model' uses dot distance" in await mismatch(
        store_for(vector_name="next_model")
    )


async def test_a_store_restarts_on_the_collection_it_filled(store_for: MakeStore) -> None:
    first = store_for()
    await first.start()
    await first.upsert([record(uuid.uuid4())])
    await first.close()

    again = store_for()
    await again.start()
    await again.close()


async def test_a_collection_that_predates_accent_folding_starts_with_a_warning(
    weaviate_client: WeaviateAsyncClient,
    collection: str,
    store_for: MakeStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    plain_text = Property(
        name="text",
        data_type=DataType.TEXT,
        tokenization=Tokenization.WORD,
        index_filterable=False,
        index_searchable=True,
    )
    properties = [plain_text if p.name == "text" else p for p in PROPERTIES]
    await create(weaviate_client, collection, properties=properties)
    store = store_for()

    with caplog.at_level(logging.WARNING, logger="beacon.vectors"):
        await store.start()
    await store.close()

    assert [r.getMessage() for r in caplog.records] == [
        f"Weaviate collection {collection}: property 'text' does not fold accents "
        "(made before Beacon did): 'cafe' will not find 'café' until the collection "
        "is re-created and reindexed"
    ]
