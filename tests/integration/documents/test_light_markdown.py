"""Plain Markdown skips docling's converter and comes out exactly as docling makes it; any
other Markdown still goes through docling."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.documents.kinds import DocumentKind
from domain.documents.light import light_document
from domain.documents.parser_worker import ParseLimits, Worker

PLAIN = [
    "One short passage, as a wiki or FAQ export has them (it ends here).\n",
    "# Travel\n\nIntro text here.\n\n## Receipts\n\nKeep receipts over 25 euros.\n"
    "A second line of the same paragraph.\n\n### Trains\n\nTrains are preferred.\n",
    "## A section before any title\n\nText.\n\n# A later title\n\nMore text.\n",
    "Plain.\n\n\n\nAnother paragraph.   With  inner spaces.\n",
    "   Indented by three.\n\n#### A deep heading   \nright after it, no blank line\n",
]
MARKUP = [
    "Some *emphasis* here.\n",
    "- a list\n- of two\n",
    "1. numbered\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "> a quote\n",
    "    indented code\n",
    "```\nfenced\n```\n",
    "A [link](https://example.com).\n",
    "Visit www.example.com today.\n",
    "Title\n=====\n",
    "A hard break  \nin the middle\n",
    "Fish &amp; chips\n",
    "A line\r\nwith a carriage return\n",
    "# Closed heading #\n",
]


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    yield Worker(ParseLimits(max_pages=500, max_chunk_tokens=256, artifacts_path=None))


@pytest.mark.parametrize("text", PLAIN)
def test_plain_markdown_makes_the_chunks_docling_makes(
    worker: Worker, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(text.encode())

    light = light_document(path, DocumentKind.MARKDOWN)

    assert light is not None
    converted = worker.converter.convert(path, DocumentKind.MARKDOWN)
    assert worker.chunker.chunk(light) == worker.chunker.chunk(converted)


def test_headings_become_each_chunks_heading_path(worker: Worker, tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(PLAIN[1])

    chunks = worker.extract(path, DocumentKind.MARKDOWN).chunks

    assert [chunk.heading_path for chunk in chunks] == [
        ["Travel"],
        ["Travel", "Receipts"],
        ["Travel", "Receipts", "Trains"],
    ]
    assert all(chunk.page_start is None for chunk in chunks)


@pytest.mark.parametrize("text", MARKUP)
def test_any_other_markdown_is_left_to_docling(tmp_path: Path, text: str) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(text.encode())

    assert light_document(path, DocumentKind.MARKDOWN) is None


def test_other_kinds_are_left_to_their_parsers(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("Plain words.\n")

    assert light_document(path, DocumentKind.HTML) is None
