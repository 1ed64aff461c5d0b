"""What only the Weaviate adapter does with writes Weaviate refuses: callers see its own
`WeaviateWriteError`, never the client's exceptions."""

import uuid

import pytest

from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore, WeaviateWriteError
from tests.integration.vectorstores.factories import ORG, record
from tests.support.services import WeaviateServer


def store_of(server: WeaviateServer, collection: str, dimensions: int) -> WeaviateVectorStore:
    """An unstarted store on `collection` for vectors of `dimensions`."""
    return WeaviateVectorStore(
        server.url, server.api_key, dimensions, collection=collection, grpc_port=server.grpc_port
    )


async def test_a_batch_weaviate_refuses_entirely_raises_the_adapters_write_error(
    weaviate_server: WeaviateServer, collection: str
) -> None:
    # Both start on the empty collection, so neither can tell the vector sizes apart yet.
    eight = store_of(weaviate_server, collection, 8)
    sixteen = store_of(weaviate_server, collection, 16)
    await eight.start()
    await sixteen.start()
    try:
        await eight.upsert([record(uuid.uuid4())])  # ORG's vector index now holds 8 floats
        document_id = uuid.uuid4()

        with pytest.raises(WeaviateWriteError, match=r"refused all 3 objects: .*dimensions"):
            await sixteen.upsert([record(document_id, i, vector=[1.0] * 16) for i in range(3)])

        assert await sixteen.count(ORG, document_id) == 0
    finally:
        await eight.close()
        await sixteen.close()
