"""Fixtures for the document pipeline: one model and one parser pool for the whole session."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from domain.bootstrap import Adapters
from domain.documents.parsing import DocumentParser
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.conftest import make_settings
from tests.support.platform import Platform, running_platform


@pytest.fixture(scope="session")
def embedder() -> Iterator[SentenceTransformerEmbedder]:
    model = SentenceTransformerEmbedder(batch_size=32)
    model.load()
    yield model
    asyncio.run(model.close())


@pytest.fixture(scope="session")
def extractor() -> Iterator[DocumentParser]:
    parser = DocumentParser(max_pages=20, timeout_seconds=120)
    yield parser
    asyncio.run(parser.close())


@pytest.fixture
def pipeline_settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        max_pages=20,
        max_upload_bytes=2 * 1024 * 1024,
        retry_backoff_seconds=0.2,
        ingest_lease_seconds=30,
        sweep_interval_seconds=60,
    )


@pytest.fixture
async def platform(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
) -> AsyncIterator[Platform]:
    async with running_platform(
        pipeline_settings, Adapters(embedder=embedder, extractor=extractor)
    ) as running:
        yield running
