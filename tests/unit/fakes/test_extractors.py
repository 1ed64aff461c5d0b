"""The paragraph extractor reads text files as the parser's tests need them, and says what it
cannot read as the parser does: a scripted outcome stands in for files it does not read."""

from pathlib import Path

import pytest

from domain.documents.chunking import CHUNK_SEPARATOR
from domain.documents.extraction import ChunkDraft, ExtractedDocument
from domain.documents.kinds import DocumentKind
from domain.errors import CorruptDocument, DocumentTooLarge, EmptyDocument
from tests.fakes.extractors import ParagraphExtractor, content_hash


def written(tmp_path: Path, text: str, name: str = "file") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_each_paragraph_is_a_chunk_at_its_place_in_the_text(tmp_path: Path) -> None:
    path = written(tmp_path, "The archive opens at nine.\n\n  \nNotes are kept for ten years.\n")

    extracted = await ParagraphExtractor().extract(path, DocumentKind.TEXT)

    assert extracted.text == CHUNK_SEPARATOR.join(
        ["The archive opens at nine.", "Notes are kept for ten years."]
    )
    assert extracted.page_count is None
    for index, chunk in enumerate(extracted.chunks):
        assert chunk.index == index
        assert extracted.text[chunk.start : chunk.end] == chunk.text
        assert (chunk.page_start, chunk.page_end, chunk.heading_path) == (None, None, [])
    assert [chunk.token_count for chunk in extracted.chunks] == [5, 6]


async def test_markdown_headings_make_the_heading_path_of_the_paragraphs_under_them(
    tmp_path: Path,
) -> None:
    path = written(
        tmp_path,
        "# Guide\n\nIntro.\n\n## First week\n\nMeet your mentor.\n\n## Later\n\nShip.\n",
    )

    extracted = await ParagraphExtractor().extract(path, DocumentKind.MARKDOWN)

    assert [(c.text, c.heading_path) for c in extracted.chunks] == [
        ("Intro.", ["Guide"]),
        ("Meet your mentor.", ["Guide", "First week"]),
        ("Ship.", ["Guide", "Later"]),
    ]


async def test_a_form_feed_starts_a_page_and_too_many_pages_are_too_large(
    tmp_path: Path,
) -> None:
    path = written(tmp_path, "Page one.\fPage two, first.\n\nPage two, second.")

    extracted = await ParagraphExtractor().extract(path, DocumentKind.TEXT)

    assert extracted.page_count == 2
    assert [(c.page_start, c.page_end) for c in extracted.chunks] == [(1, 1), (2, 2), (2, 2)]
    with pytest.raises(DocumentTooLarge, match="has 2 pages; the limit is 1"):
        await ParagraphExtractor(max_pages=1).extract(path, DocumentKind.TEXT)


async def test_a_file_without_text_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument, match="The CSV file contains no text"):
        await ParagraphExtractor().extract(written(tmp_path, " \n\n\t\n"), DocumentKind.CSV)


async def test_a_scripted_file_has_its_outcome_whatever_its_kind(tmp_path: Path) -> None:
    extractor = ParagraphExtractor()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 cut short")
    document = ExtractedDocument("Slide.", 1, [ChunkDraft(0, "Slide.", 0, 6, 1, 1)])
    extractor.script(broken, CorruptDocument("The PDF is damaged."))
    extractor.script(b"PK slides", document)
    # The stored copy has another name: the script follows the bytes.
    copy = tmp_path / "0123abcd"
    copy.write_bytes(broken.read_bytes())

    with pytest.raises(CorruptDocument, match="damaged"):
        await extractor.extract(copy, DocumentKind.PDF)
    slides = tmp_path / "slides"
    slides.write_bytes(b"PK slides")
    assert await extractor.extract(slides, DocumentKind.PPTX) is document
    assert extractor.extracted == [
        (DocumentKind.PDF, content_hash(broken)),
        (DocumentKind.PPTX, content_hash(b"PK slides")),
    ]


async def test_an_unscripted_file_it_cannot_read_says_to_script_it(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="script this docx file's outcome"):
        await ParagraphExtractor().extract(written(tmp_path, "PK"), DocumentKind.DOCX)


async def test_it_counts_its_starts_and_closes() -> None:
    extractor = ParagraphExtractor()
    await extractor.start()
    await extractor.close()
    assert (extractor.started, extractor.closed) == (1, 1)
