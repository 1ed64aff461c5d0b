"""Tenants or the whole collection deleted behind a started store's back: reads answer empty,
writes re-create what they need, and nothing stays broken for that organisation."""

import uuid
from collections.abc import AsyncIterator

import pytest
from weaviate import WeaviateAsyncClient
from weaviate.classes.config import Reconfigure

from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from tests.integration.vectorstores.factories import (
    AS_ADMIN,
    AS_OWNER,
    DIMENSIONS,
    ORG,
    axis,
    record,
)
from tests.support.services import WeaviateServer


@pytest.fixture
async def store(
    weaviate_server: WeaviateServer, collection: str
) -> AsyncIterator[WeaviateVectorStore]:
    """A started store on the test's collection, holding one ORG document already (so the
    store has seen, and remembers, the ORG tenant)."""
    started = WeaviateVectorStore(
        weaviate_server.url,
        weaviate_server.api_key,
        DIMENSIONS,
        collection=collection,
        grpc_port=weaviate_server.grpc_port,
    )
    await started.start()
    try:
        await started.upsert([record(uuid.uuid4(), text="kestrel sighting", vector=axis(0))])
        assert len(await started.search_text("kestrel", AS_OWNER, 5)) == 1
        yield started
    finally:
        await started.close()


async def assert_org_reads_empty(store: WeaviateVectorStore) -> None:
    """Every read for ORG answers as for an organisation with nothing stored."""
    assert await store.search_text("kestrel", AS_OWNER, 5) == []
    assert await store.search_vector(axis(0), AS_ADMIN, 5) == []
    assert await store.document_ids(ORG) == {}
    assert await store.count(ORG, uuid.uuid4()) == 0
    await store.delete_document(ORG, uuid.uuid4())


async def test_reads_answer_empty_once_the_tenant_was_deleted(
    store: WeaviateVectorStore, weaviate_client: WeaviateAsyncClient, collection: str
) -> None:
    await weaviate_client.collections.use(collection).tenants.remove([str(ORG)])

    await assert_org_reads_empty(store)


async def test_a_write_re_creates_a_deleted_tenant(
    store: WeaviateVectorStore, weaviate_client: WeaviateAsyncClient, collection: str
) -> None:
    chunks = weaviate_client.collections.use(collection)
    # Without auto-creation (as in a collection made by hand), only the store can re-create it.
    await chunks.config.update(
        multi_tenancy_config=Reconfigure.multi_tenancy(auto_tenant_creation=False)
    )
    await chunks.tenants.remove([str(ORG)])
    document_id = uuid.uuid4()

    await store.upsert([record(document_id, text="osprey nest")])

    assert await chunks.tenants.exists(str(ORG))
    assert await store.document_ids(ORG) == {document_id: {1}}
    assert [h.document_id for h in await store.search_text("osprey", AS_OWNER, 5)] == [document_id]


async def test_reads_answer_empty_once_the_collection_was_dropped(
    store: WeaviateVectorStore, weaviate_client: WeaviateAsyncClient, collection: str
) -> None:
    await weaviate_client.collections.delete(collection)

    await assert_org_reads_empty(store)


async def test_a_write_re_creates_a_dropped_collection_that_a_new_store_accepts(
    store: WeaviateVectorStore,
    weaviate_server: WeaviateServer,
    weaviate_client: WeaviateAsyncClient,
    collection: str,
) -> None:
    await weaviate_client.collections.delete(collection)
    document_id = uuid.uuid4()

    await store.upsert([record(document_id, text="osprey nest")])

    assert await store.count(ORG, document_id) == 1
    restarted = WeaviateVectorStore(
        weaviate_server.url,
        weaviate_server.api_key,
        DIMENSIONS,
        collection=collection,
        grpc_port=weaviate_server.grpc_port,
    )
    await restarted.start()  # the re-created collection passes the start-up check
    await restarted.close()


async def test_a_collection_re_created_elsewhere_is_found_empty_then_written(
    store: WeaviateVectorStore,
    weaviate_server: WeaviateServer,
    weaviate_client: WeaviateAsyncClient,
    collection: str,
) -> None:
    await weaviate_client.collections.delete(collection)
    # Another process (a second API server, say) starts and creates it anew.
    other = WeaviateVectorStore(
        weaviate_server.url,
        weaviate_server.api_key,
        DIMENSIONS,
        collection=collection,
        grpc_port=weaviate_server.grpc_port,
    )
    await other.start()
    await other.close()

    await assert_org_reads_empty(store)
    document_id = uuid.uuid4()
    await store.upsert([record(document_id, text="osprey nest")])
    assert await store.count(ORG, document_id) == 1
