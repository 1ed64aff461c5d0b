"""What a file really is, decided from its bytes before any parser touches it."""

import codecs
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from domain.documents.kinds import DocumentKind
from domain.errors import CorruptDocument, EmptyDocument, EncryptedDocument, UnsupportedDocument

_MIB = 1024 * 1024
_HEAD_BYTES = 8192
_TEXT_BLOCK_BYTES = _MIB
# Entries smaller than this cannot hurt however well they compress, and small XML parts of
# real Office files often compress better than 100:1.
_RATIO_FLOOR_BYTES = _MIB

_PDF_MAGIC = b"%PDF-"
# Readers accept a PDF header anywhere in the first kilobyte, but files are served back to
# browsers: an HTML page with "%PDF-" in a comment must not pass as a PDF. So only ASCII
# whitespace may come first; not a UTF-8 BOM, which no PDF writer emits and which marks
# a text file.
_PDF_LEADING_WHITESPACE = b" \t\n\r\f\v"
_ZIP_MAGIC = b"PK\x03\x04"
_UTF8_BOM = b"\xef\xbb\xbf"
_LEADING_MARKUP = re.compile(rb"(?:\s+|<!--.*?-->|<\?xml[^>]*\?>)*", re.DOTALL)
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
_OOXML_FOLDERS = (
    ("word/", DocumentKind.DOCX),
    ("ppt/", DocumentKind.PPTX),
    ("xl/", DocumentKind.XLSX),
)
# Formats that are also valid UTF-8 text, so they must be refused before the text check.
_TEXT_LOOKALIKES = ((b"{\\rtf", "an RTF document"), (b"%!PS", "a PostScript file"))
# Only consulted for files that are not text, to name what was refused.
_BINARIES = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "a Linux executable"),
    (b"\xfe\xed\xfa\xce", "a macOS executable"),
    (b"\xfe\xed\xfa\xcf", "a macOS executable"),
    (b"\xce\xfa\xed\xfe", "a macOS executable"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable"),
    (b"\xca\xfe\xba\xbe", "a macOS executable"),
    (b"\xd0\xcf\x11\xe0", "a legacy or password-protected Office file"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP64_ENTRY_COUNT = 0xFFFF


@dataclass(frozen=True)
class ArchiveLimits:
    """How big a zip-based document (DOCX, PPTX, XLSX) may claim to be before it is opened."""

    max_entries: int = 2000
    max_total_uncompressed: int = 200 * _MIB
    max_ratio: float = 100.0


def sniff(path: Path, filename: str, limits: ArchiveLimits) -> DocumentKind:
    """The file's kind from its bytes; `filename` only tells Markdown, CSV and HTML fragments
    from plain text."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head:
        raise EmptyDocument("The file is empty.")
    if head.lstrip(_PDF_LEADING_WHITESPACE).startswith(_PDF_MAGIC):
        return DocumentKind.PDF
    if head.startswith(_ZIP_MAGIC):
        return _office_kind(path, limits)
    for magic, description in _TEXT_LOOKALIKES:
        if head.startswith(magic):
            raise UnsupportedDocument(f"The file is {description}, which Beacon does not accept.")
    if _looks_like_html(head):
        return DocumentKind.HTML
    if _is_utf8_text(path):
        name = filename.lower()
        if name.endswith((".md", ".markdown")):
            return DocumentKind.MARKDOWN
        if name.endswith(".csv"):
            return DocumentKind.CSV
        if name.endswith((".html", ".htm")):
            # A fragment, as wikis and CMSs export pages: no <html> or <body> to sniff.
            return DocumentKind.HTML
        return DocumentKind.TEXT
    what = next((d for magic, d in _BINARIES if head.startswith(magic)), None)
    raise UnsupportedDocument(
        f"The file is {what or 'binary data of an unknown type'}; Beacon accepts PDF, "
        "Word, PowerPoint, Excel, HTML, Markdown, CSV and UTF-8 text."
    )


def _looks_like_html(head: bytes) -> bool:
    if head.startswith(_UTF8_BOM):
        head = head[len(_UTF8_BOM) :]
    start = _LEADING_MARKUP.match(head)
    return _HTML_START.match(head, start.end() if start else 0) is not None


def _is_utf8_text(path: Path) -> bool:
    """Valid UTF-8 without NUL bytes, read in blocks so a large file never sits in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while block := handle.read(_TEXT_BLOCK_BYTES):
                if b"\0" in block:
                    return False
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _office_kind(path: Path, limits: ArchiveLimits) -> DocumentKind:
    """DOCX, PPTX or XLSX, after checking the archive's directory against the limits."""
    names = _checked_entry_names(path, limits)
    if "[Content_Types].xml" in names:
        for folder, kind in _OOXML_FOLDERS:
            if any(name.startswith(folder) for name in names):
                return kind
    raise UnsupportedDocument(
        "The file is a ZIP archive but not a Word, PowerPoint or Excel document."
    )


def _checked_entry_names(path: Path, limits: ArchiveLimits) -> list[str]:
    """The archive's entry names, once its central directory shows it is safe to open.

    Only the directory is read, nothing is decompressed. Its sizes are binding: Python's
    zipfile, which the Office parsers use, never inflates an entry past its declared size.
    """
    declared = _declared_entry_count(path)
    if declared is not None and declared > limits.max_entries:
        raise _zip_bomb(f"The archive has {declared} entries (the limit is {limits.max_entries})")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise CorruptDocument(f"The file is a damaged ZIP archive ({error}).") from None
    if len(entries) > limits.max_entries:
        raise _zip_bomb(
            f"The archive has {len(entries)} entries (the limit is {limits.max_entries})"
        )
    total = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if total > limits.max_total_uncompressed:
        raise _zip_bomb(
            f"The archive expands to {total // _MIB} MiB "
            f"(the limit is {limits.max_total_uncompressed // _MIB} MiB)"
        )
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise EncryptedDocument("The document's archive is password-protected.")
        if _over_ratio(entry.file_size, entry.compress_size, limits.max_ratio):
            raise _zip_bomb(
                f"The archive entry {entry.filename!r} expands {entry.file_size} bytes from "
                f"{entry.compress_size} (more than {limits.max_ratio:g} times)"
            )
    if _over_ratio(total, packed, limits.max_ratio):
        raise _zip_bomb(f"The archive expands more than {limits.max_ratio:g} times")
    return [entry.filename for entry in entries]


def _declared_entry_count(path: Path) -> int | None:
    """The end-of-central-directory record's entry count (None if absent or in ZIP64).

    Read first so a directory of a million entries is refused before zipfile builds an
    object for each of them.
    """
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        tail_size = min(size, _END_RECORD.size + 0xFFFF)  # the record plus its longest comment
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
    at = tail.rfind(_END_OF_CENTRAL_DIRECTORY)
    if at < 0 or len(tail) - at < _END_RECORD.size:
        return None
    entries: int = _END_RECORD.unpack_from(tail, at)[4]
    return None if entries == _ZIP64_ENTRY_COUNT else entries


def _over_ratio(expanded: int, packed: int, max_ratio: float) -> bool:
    return expanded > _RATIO_FLOOR_BYTES and expanded > max_ratio * max(packed, 1)


def _zip_bomb(reason: str) -> CorruptDocument:
    return CorruptDocument(f"{reason}, so it looks like a zip bomb and was not opened.")
