"""Client-supplied file names: cleaned for display, compared with what the bytes say."""

import unicodedata
from pathlib import PurePosixPath

from domain.documents.kinds import DocumentKind

_TEXT_KINDS = {DocumentKind.TEXT, DocumentKind.MARKDOWN, DocumentKind.CSV}
_BY_EXTENSION = {
    ".pdf": DocumentKind.PDF,
    ".docx": DocumentKind.DOCX,
    ".pptx": DocumentKind.PPTX,
    ".xlsx": DocumentKind.XLSX,
    ".html": DocumentKind.HTML,
    ".htm": DocumentKind.HTML,
    ".md": DocumentKind.MARKDOWN,
    ".markdown": DocumentKind.MARKDOWN,
    ".csv": DocumentKind.CSV,
    ".txt": DocumentKind.TEXT,
}


def clean_filename(name: str) -> str:
    """The last path component, without control characters, at most 255 characters.

    The name is metadata only (files are stored under generated keys); cleaning it keeps
    `../../x`, NUL bytes and terminal escapes out of what clients and logs display.
    """
    flat = name.replace("\\", "/")
    base = PurePosixPath(flat).name
    printable = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    printable = printable.lstrip(".") or "upload"
    return printable[:255]


def claimed_kind(filename: str) -> DocumentKind | None:
    """The kind a file name's extension claims, if it names one Beacon knows."""
    return _BY_EXTENSION.get(PurePosixPath(filename).suffix.lower())


def contradicts(claimed: DocumentKind | None, actual: DocumentKind) -> bool:
    """Whether the name lies about the bytes (text kinds are interchangeable)."""
    if claimed is None or claimed == actual:
        return False
    return not (claimed in _TEXT_KINDS and actual in _TEXT_KINDS)
