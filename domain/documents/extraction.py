"""The extractor port, and what parsing and chunking hand to ingestion: plain data, picklable
across processes."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from domain.documents.kinds import DocumentKind


@dataclass(frozen=True)
class ChunkDraft:
    """One chunk before it is stored: its text is what gets embedded, searched and cited."""

    index: int
    text: str
    start: int  # offset of `text` in ExtractedDocument.text
    end: int  # start + len(text)
    page_start: int | None
    page_end: int | None
    heading_path: list[str] = field(default_factory=list)
    token_count: int = 0  # in the embedding model's own tokens, special tokens included


@dataclass(frozen=True)
class ExtractedDocument:
    """A parsed document: its text (chunks in reading order) and its chunks."""

    text: str
    page_count: int | None
    chunks: list[ChunkDraft]


class Extractor(Protocol):
    """Parses and chunks a stored file (docling in a child process)."""

    async def start(self) -> None:
        """Get ready to parse now rather than on the first file (idempotent)."""
        ...

    async def close(self) -> None:
        """Stop parsing; pending extractions fail."""
        ...

    async def extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        """The document's text and chunks; raises `DocumentRejected` for bad files."""
        ...
