"""The `store` fixture: every contract test runs once per adapter (LanceDB twice)."""

import os
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from domain.retrieval.vectorstores.base import Access, VectorHit, VectorStore
from domain.retrieval.vectorstores.lance import LanceVectorStore
from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from tests.integration.vectorstores.factories import DIMENSIONS

WEAVIATE_URL = os.environ.get("BEACON_WEAVIATE_URL")
WEAVIATE_API_KEY = os.environ.get("BEACON_WEAVIATE_API_KEY") or None


class AlwaysExactLanceStore(LanceVectorStore):
    """Answers every dense search from a snapshot of the current version, never LanceDB."""

    async def search_vector(
        self, vector: Sequence[float], access: Access, limit: int
    ) -> list[VectorHit]:
        assert await self.load_snapshot(), "the table should fit the in-memory snapshot"
        assert await self._current_snapshot() is not None, "the snapshot should be current"
        return await super().search_vector(vector, access, limit)


@pytest.fixture(params=["lance", "lance-exact", "weaviate"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[VectorStore]:
    """A started, empty store: LanceDB in tmp_path (dense search through LanceDB's query,
    or through the exact in-memory snapshot), or Weaviate in a throwaway collection."""
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
    if not WEAVIATE_URL:
        pytest.skip("set BEACON_WEAVIATE_URL to run the Weaviate contract tests")
    weaviate = WeaviateVectorStore(
        WEAVIATE_URL,
        WEAVIATE_API_KEY,
        DIMENSIONS,
        collection=f"BeaconTest{uuid.uuid4().hex}",
    )
    await weaviate.start()
    try:
        yield weaviate
    finally:
        try:
            await weaviate.drop()
        finally:
            await weaviate.close()
