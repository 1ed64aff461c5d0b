"""A file's kind comes from its bytes; archives are judged by their directory alone."""

import io
import os
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.documents.kinds import DocumentKind
from domain.documents.sniffing import ArchiveLimits, sniff
from domain.errors import CorruptDocument, EmptyDocument, EncryptedDocument, UnsupportedDocument
from tests.support import documents as files

LIMITS = ArchiveLimits()
MIB = 1024 * 1024


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def write_zip(tmp_path: Path, name: str, entries: dict[str, bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry, content in entries.items():
            archive.writestr(entry, content)
    return path


@pytest.mark.parametrize(
    ("writer", "kind"),
    [
        (files.write_multi_page_pdf, DocumentKind.PDF),
        (files.write_encrypted_pdf, DocumentKind.PDF),
        (files.write_docx, DocumentKind.DOCX),
        (files.write_pptx, DocumentKind.PPTX),
        (files.write_xlsx, DocumentKind.XLSX),
        (files.write_html, DocumentKind.HTML),
        (files.write_markdown, DocumentKind.MARKDOWN),
        (files.write_csv, DocumentKind.CSV),
        (files.write_text, DocumentKind.TEXT),
    ],
)
def test_every_accepted_kind_is_recognised(
    tmp_path: Path, writer: Callable[[Path], Path], kind: DocumentKind
) -> None:
    path = writer(tmp_path)
    assert sniff(path, path.name, LIMITS) is kind


@pytest.mark.parametrize(
    ("writer", "kind"),
    [
        (files.write_multi_page_pdf, DocumentKind.PDF),
        (files.write_docx, DocumentKind.DOCX),
        (files.write_xlsx, DocumentKind.XLSX),
        (files.write_html, DocumentKind.HTML),
    ],
)
def test_the_name_never_overrides_the_bytes(
    tmp_path: Path, writer: Callable[[Path], Path], kind: DocumentKind
) -> None:
    path = writer(tmp_path)
    for claimed in ("notes.md", "table.csv", "slides.pptx", "no-extension"):
        assert sniff(path, claimed, LIMITS) is kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("guide.md", DocumentKind.MARKDOWN),
        ("GUIDE.MARKDOWN", DocumentKind.MARKDOWN),
        ("people.csv", DocumentKind.CSV),
        ("notes.txt", DocumentKind.TEXT),
        ("notes", DocumentKind.TEXT),
        ("report.pdf", DocumentKind.TEXT),
        ("page.html", DocumentKind.HTML),
        ("PAGE.HTM", DocumentKind.HTML),
    ],
)
def test_the_name_only_chooses_among_text_kinds(
    tmp_path: Path, name: str, kind: DocumentKind
) -> None:
    path = write(tmp_path, "upload", b"# Title\n\nname,team\nAda,Platform\n")
    assert sniff(path, name, LIMITS) is kind


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body>x</body></html>",
        b"\xef\xbb\xbf  \n\t<!doctype HTML>\n<html lang='en'></html>",
        b"<!-- generated -->\n<HTML>\n<p>x</p></HTML>",
        b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>',
        b"<head><title>x</title></head>",
        b"<body>x</body>",
    ],
)
def test_html_is_recognised_after_a_bom_whitespace_or_a_comment(
    tmp_path: Path, content: bytes
) -> None:
    assert sniff(write(tmp_path, "page", content), "page.txt", LIMITS) is DocumentKind.HTML


def test_an_html_fragment_named_html_is_html(tmp_path: Path) -> None:
    # As a wiki or CMS exports a page: no <html>, <head> or <body>.
    path = write(tmp_path, "faq.html", b"<h2>Expenses</h2>\n<p>Receipts go to finance.</p>\n")
    assert sniff(path, path.name, LIMITS) is DocumentKind.HTML


def test_text_that_merely_mentions_html_is_text(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", b"Use <html> tags sparingly.\n")
    assert sniff(path, "notes.txt", LIMITS) is DocumentKind.TEXT


def test_an_html_page_named_pdf_is_sniffed_as_html(tmp_path: Path) -> None:
    path = files.write_html_named_pdf(tmp_path)
    assert sniff(path, path.name, LIMITS) is DocumentKind.HTML


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        b"\n\n  %PDF-1.4\n1 0 obj\n<<>>\nendobj\n",
        b"\t\r\n\f\v %PDF-2.0\n",
    ],
)
def test_a_pdf_header_at_the_start_or_after_whitespace_is_a_pdf(
    tmp_path: Path, content: bytes
) -> None:
    assert sniff(write(tmp_path, "upload", content), "upload", LIMITS) is DocumentKind.PDF


def test_an_html_page_mentioning_a_pdf_header_is_html_not_pdf(tmp_path: Path) -> None:
    # Served back as a PDF, this page would reach browsers that may still render it as HTML.
    content = b"<html><body><!-- %PDF-1.7 --><script>alert(1)</script></body></html>"
    path = write(tmp_path, "invoice.pdf", content)
    assert sniff(path, path.name, LIMITS) is DocumentKind.HTML


def test_a_pdf_header_after_binary_junk_is_not_a_pdf(tmp_path: Path) -> None:
    path = write(tmp_path, "upload.pdf", b"\x00\x01\x02junk\xff\xfe" + b"%PDF-1.7\n")
    with pytest.raises(UnsupportedDocument, match="unknown type"):
        sniff(path, path.name, LIMITS)


def test_a_pdf_header_after_a_byte_order_mark_is_only_text(tmp_path: Path) -> None:
    # A BOM is not whitespace and no PDF writer emits one; the file is valid UTF-8 text.
    path = write(tmp_path, "upload.pdf", b"\xef\xbb\xbf%PDF-1.7\n")
    assert sniff(path, path.name, LIMITS) is DocumentKind.TEXT


def test_an_executable_named_pdf_is_unsupported(tmp_path: Path) -> None:
    path = files.write_exe_named_pdf(tmp_path)
    with pytest.raises(UnsupportedDocument, match="Windows executable"):
        sniff(path, path.name, LIMITS)


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"\x7fELF\x02\x01\x01\x00" + bytes(64), "Linux executable"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(64), "macOS executable"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "legacy or password-protected"),
        (b"{\\rtf1\\ansi Hello}", "RTF document"),
        (b"caf\xe9 au lait\n", "unknown type"),  # Latin-1, not UTF-8
        (b"plain words\x00then a NUL byte", "unknown type"),
    ],
)
def test_other_content_is_unsupported_and_named(tmp_path: Path, content: bytes, named: str) -> None:
    with pytest.raises(UnsupportedDocument, match=named):
        sniff(write(tmp_path, "upload.pdf", content), "upload.pdf", LIMITS)


def test_an_empty_file_is_empty(tmp_path: Path) -> None:
    path = files.write_empty(tmp_path)
    with pytest.raises(EmptyDocument):
        sniff(path, path.name, LIMITS)


def test_a_zip_bomb_is_refused_quickly_without_being_inflated(tmp_path: Path) -> None:
    path = files.write_docx_zip_bomb(tmp_path)
    assert path.stat().st_size < 100_000  # 50 MiB of zeros inside
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(CorruptDocument, match="zip bomb"):
            sniff(path, path.name, LIMITS)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < MIB  # inflating even one megabyte of the entry would exceed this


def test_an_archive_with_too_many_entries_is_a_zip_bomb(tmp_path: Path) -> None:
    entries = {"[Content_Types].xml": b"<Types/>"} | {f"word/p{i}.xml": b"x" for i in range(11)}
    path = write_zip(tmp_path, "many.docx", entries)
    with pytest.raises(CorruptDocument, match=r"12 entries .*zip bomb"):
        sniff(path, path.name, ArchiveLimits(max_entries=10))


def test_an_archive_over_the_total_size_is_a_zip_bomb(tmp_path: Path) -> None:
    # Random bytes do not compress, so only the total size can refuse this one.
    entries = {"[Content_Types].xml": b"<Types/>", "word/document.xml": os.urandom(2 * MIB)}
    path = write_zip(tmp_path, "big.docx", entries)
    assert sniff(path, path.name, LIMITS) is DocumentKind.DOCX
    with pytest.raises(CorruptDocument, match=r"expands to 2 MiB .*zip bomb"):
        sniff(path, path.name, ArchiveLimits(max_total_uncompressed=MIB))


def test_many_small_entries_that_inflate_together_are_a_zip_bomb(tmp_path: Path) -> None:
    # Each entry is under the per-entry floor; only the archive's overall ratio gives it away.
    small = b"\0" * (MIB // 2)
    entries = {"[Content_Types].xml": b"<Types/>"} | {f"xl/part{i}.xml": small for i in range(6)}
    path = write_zip(tmp_path, "parts.xlsx", entries)
    with pytest.raises(CorruptDocument, match="more than 100 times, so it looks like a zip bomb"):
        sniff(path, path.name, LIMITS)


def test_a_damaged_archive_is_corrupt(tmp_path: Path) -> None:
    whole = files.write_docx(tmp_path).read_bytes()
    path = write(tmp_path, "cut.docx", whole[: len(whole) // 2])
    with pytest.raises(CorruptDocument, match="damaged ZIP"):
        sniff(path, path.name, LIMITS)


def test_a_password_protected_archive_is_encrypted(tmp_path: Path) -> None:
    path = write_zip(tmp_path, "locked.docx", {"[Content_Types].xml": b"<T/>", "word/d.xml": b"x"})
    # zipfile cannot encrypt, so set the "encrypted" flag in each central directory header.
    content = bytearray(path.read_bytes())
    at = content.find(b"PK\x01\x02")
    while at >= 0:
        content[at + 8] |= 0x1
        at = content.find(b"PK\x01\x02", at + 1)
    path.write_bytes(bytes(content))
    with pytest.raises(EncryptedDocument):
        sniff(path, path.name, LIMITS)


def test_a_zip_that_is_not_an_office_document_is_unsupported(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photos/cat.jpg", b"\xff\xd8\xff")
    path = write(tmp_path, "holiday.docx", buffer.getvalue())
    with pytest.raises(UnsupportedDocument, match="not a Word, PowerPoint or Excel"):
        sniff(path, path.name, LIMITS)
