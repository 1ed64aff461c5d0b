"""What the parsing tests share."""

import asyncio
from collections.abc import Iterator

import pytest

from domain.documents.parsing import DocumentParser


@pytest.fixture(scope="module")
def parser() -> Iterator[DocumentParser]:
    """One parser per module: starting a worker process costs seconds."""
    parser = DocumentParser()
    yield parser
    asyncio.run(parser.close())
