"""The `store` fixture: every contract test runs once per adapter."""

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.retrieval.vectorstores.base import VectorStore
from domain.retrieval.vectorstores.lance import LanceVectorStore
from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from tests.integration.vectorstores.factories import DIMENSIONS

WEAVIATE_URL = os.environ.get("BEACON_WEAVIATE_URL")
WEAVIATE_API_KEY = os.environ.get("BEACON_WEAVIATE_API_KEY") or None


@pytest.fixture(params=["lance", "weaviate"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[VectorStore]:
    """A started, empty store: LanceDB in tmp_path, or Weaviate in a throwaway collection."""
    if request.param == "lance":
        lance = LanceVectorStore(tmp_path / "vectors", DIMENSIONS)
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
