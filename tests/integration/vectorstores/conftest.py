"""The `store` fixture (every contract test runs once per adapter, LanceDB twice, and once
against the in-memory fake, which keeps the same promises), and what the Weaviate-only tests
need: the test server, a client of their own, a throwaway collection."""

import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from weaviate import WeaviateAsyncClient

from domain.retrieval.vectorstores.base import Access, VectorHit, VectorStore
from domain.retrieval.vectorstores.lance import LanceVectorStore
from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from domain.retrieval.vectorstores.weaviate_connection import connection_params, open_client
from tests.fakes.vectorstores import MemoryVectorStore
from tests.integration.vectorstores.factories import DIMENSIONS
from tests.support.services import WeaviateServer, require_weaviate


class AlwaysExactLanceStore(LanceVectorStore):
    """Answers every dense search from a snapshot of the current version, never LanceDB."""

    async def search_vector(
        self, vector: Sequence[float], access: Access, limit: int
    ) -> list[VectorHit]:
        assert await self.load_snapshot(), "the table should fit the in-memory snapshot"
        assert await self._snapshots.current(self._opened()) is not None, (
            "the snapshot should be current"
        )
        return await super().search_vector(vector, access, limit)


@pytest.fixture(params=["lance", "lance-exact", "weaviate", "memory"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[VectorStore]:
    """A started, empty store: LanceDB in tmp_path (dense search through LanceDB's query,
    or through the exact in-memory snapshot), Weaviate in a throwaway collection, or the
    fake in memory."""
    if request.param == "memory":
        memory = MemoryVectorStore(DIMENSIONS)
        await memory.start()
        try:
            yield memory
        finally:
            await memory.close()
        return
    if request.param.startswith("lance"):
        lance = (
            AlwaysExactLanceStore(tmp_path / "vectors", DIMENSIONS)
            if request.param == "lance-exact"
            else LanceVectorStore(tmp_path / "vectors", DIMENSIONS, exact_search_max_rows=0)
        )
        await lance.start()
        try:
            yield lance
        finally:
            await lance.close()
        return
    server = require_weaviate()
    weaviate = WeaviateVectorStore(
        server.url,
        server.api_key,
        DIMENSIONS,
        collection=f"BeaconTest{uuid.uuid4().hex}",
        grpc_port=server.grpc_port,
    )
    await weaviate.start()
    try:
        yield weaviate
    finally:
        try:
            await weaviate.drop()
        finally:
            await weaviate.close()


@pytest.fixture
def weaviate_server() -> WeaviateServer:
    """The test Weaviate (skipped, or failed in CI, when it is not configured)."""
    return require_weaviate()


@pytest.fixture
async def weaviate_client(weaviate_server: WeaviateServer) -> AsyncIterator[WeaviateAsyncClient]:
    """A client of the test's own, to arrange the server behind a store's back."""
    params = connection_params(weaviate_server.url, grpc_port=weaviate_server.grpc_port)
    client = await open_client(params, weaviate_server.api_key, timeout_seconds=10)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def collection(weaviate_client: WeaviateAsyncClient) -> AsyncIterator[str]:
    """A collection name no other test uses; whatever the test made of it is deleted after."""
    name = f"BeaconTest{uuid.uuid4().hex}"
    yield name
    await weaviate_client.collections.delete(name)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
