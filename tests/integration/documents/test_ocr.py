"""Scanned PDF pages read with OCR in the parser's worker processes, offline."""

import asyncio
import json
import socket
from pathlib import Path

import pytest

from domain.documents.extraction import ExtractedDocument
from domain.documents.kinds import DocumentKind
from domain.documents.ocr import PageReader, packaged_models
from domain.documents.parsing import DocumentParser
from domain.errors import CorruptDocument, DocumentTooLarge, EmptyDocument
from tests.support import documents as files
from tests.support import scans
from tests.support.logs import configured_logging


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scans")


@pytest.fixture(scope="module")
def reader() -> PageReader:
    return PageReader()


def pages_holding(extracted: ExtractedDocument, text: str) -> list[int | None]:
    """The pages of the chunks whose text contains `text`, spaces and case aside."""
    wanted = " ".join(text.split()).casefold()
    return [
        chunk.page_start
        for chunk in extracted.chunks
        if wanted in " ".join(chunk.text.split()).casefold()
    ]


def test_the_ocr_models_ship_in_the_wheel_and_read_with_the_network_blocked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert {path.name for path in packaged_models().values()} == {
        "PP-OCRv6_det_small.onnx",
        "PP-OCRv6_rec_small.onnx",
    }
    assert all(path.stat().st_size > 1_000_000 for path in packaged_models().values())

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("OCR tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HOME", str(tmp_path))  # no cache of downloaded models
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)

    lines = PageReader().read(scans.scan(scans.SCANNED_LINES))

    assert [line.text for line in lines] == scans.SCANNED_LINES
    # Nothing downloaded or cached (onnxruntime keeps only a device id in the cache folder).
    assert not [path for path in tmp_path.rglob("*") if path.suffix in {".onnx", ".txt"}]


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_rotated_scan_is_read_the_right_way_up_in_order(reader: PageReader, degrees: int) -> None:
    lines = reader.read(scans.scan(scans.SCANNED_LINES, degrees))

    assert [line.text for line in lines] == scans.SCANNED_LINES


async def test_the_scanned_page_of_a_mixed_pdf_is_read_and_keeps_its_page(
    parser: DocumentParser, folder: Path
) -> None:
    extracted = await parser.extract(scans.write_mixed_pdf(folder), DocumentKind.PDF)

    assert pages_holding(extracted, scans.TYPED_PAGE) == [1]
    assert pages_holding(extracted, scans.SCANNED_PAGE[0]) == [2]
    assert pages_holding(extracted, scans.SCANNED_PAGE[1]) == [2]
    assert extracted.page_count == 3
    # In page order: the scanned page's text sits between the typed pages'.
    assert [chunk.page_start for chunk in extracted.chunks] == [1, 2, 3]


async def test_pages_with_a_text_layer_are_not_ocred(parser: DocumentParser, folder: Path) -> None:
    extracted = await parser.extract(scans.write_mixed_pdf(folder), DocumentKind.PDF)

    # The typed page also carries a picture of text; reading it would mean OCR ran there.
    assert "regatta" not in extracted.text.casefold()
    assert pages_holding(extracted, scans.TYPED_PAGE) == [1]


async def test_a_scanned_pdf_is_read_page_by_page(parser: DocumentParser, folder: Path) -> None:
    pages = [[f"Minutes of meeting {n}: the ferry timetable was approved."] for n in (1, 2)]
    path = scans.write_scanned_pdf(folder, pages, name="minutes.pdf")

    extracted = await parser.extract(path, DocumentKind.PDF)

    assert pages_holding(extracted, pages[0][0]) == [1]
    assert pages_holding(extracted, pages[1][0]) == [2]


async def test_a_scan_without_any_text_is_empty_and_says_ocr_found_nothing(
    parser: DocumentParser, folder: Path
) -> None:
    with pytest.raises(EmptyDocument, match="OCR found no text"):
        await parser.extract(files.write_image_only_pdf(folder), DocumentKind.PDF)


async def test_with_ocr_off_a_scan_is_empty_and_says_ocr_is_off(folder: Path) -> None:
    parser = DocumentParser(ocr=False)
    try:
        path = scans.write_scanned_pdf(folder, [scans.SCANNED_LINES], name="off.pdf")
        with pytest.raises(EmptyDocument, match="OCR, which is off"):
            await parser.extract(path, DocumentKind.PDF)
    finally:
        await parser.close()


async def test_a_corrupt_scan_fails_clearly_and_the_parser_goes_on(
    parser: DocumentParser, folder: Path
) -> None:
    with pytest.raises(CorruptDocument, match="image on page 1 of the PDF is damaged"):
        await parser.extract(scans.write_pdf_with_corrupt_scan(folder), DocumentKind.PDF)

    extracted = await parser.extract(scans.write_mixed_pdf(folder), DocumentKind.PDF)
    assert pages_holding(extracted, scans.SCANNED_PAGE[0]) == [2]


async def test_ocr_of_a_long_scan_stops_at_the_parse_timeout_and_the_parser_goes_on(
    folder: Path,
) -> None:
    long_scan = scans.write_scanned_pdf(folder, [scans.SCANNED_LINES] * 40, name="long.pdf")
    parser = DocumentParser(timeout_seconds=3)
    try:
        await parser.start()  # the clock starts once a worker is warm
        with pytest.raises(DocumentTooLarge, match="took longer than 3 s"):
            await asyncio.wait_for(parser.extract(long_scan, DocumentKind.PDF), timeout=60)
        extracted = await parser.extract(files.write_text(folder), DocumentKind.TEXT)
        assert files.TEXT_SENTENCE in extracted.text
    finally:
        await parser.close()


async def test_a_scan_over_the_page_limit_is_refused_before_any_ocr(folder: Path) -> None:
    path = scans.write_scanned_pdf(folder, [scans.SCANNED_LINES] * 3, name="three.pdf")
    parser = DocumentParser(max_pages=2, timeout_seconds=5)
    try:
        with pytest.raises(DocumentTooLarge, match="3 pages; the limit is 2"):
            await parser.extract(path, DocumentKind.PDF)
    finally:
        await parser.close()


async def test_ocr_logs_like_the_parser_process_in_json(
    folder: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with configured_logging("json"):
        parser = DocumentParser()
        try:
            # A blank scan: RapidOCR has something to say about detecting no text.
            with pytest.raises(EmptyDocument):
                await parser.extract(files.write_image_only_pdf(folder), DocumentKind.PDF)
        finally:
            await parser.close()
    lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    for line in lines:
        json.loads(line)  # no line in RapidOCR's own coloured console format
