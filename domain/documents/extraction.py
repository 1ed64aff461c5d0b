"""What parsing and chunking hand to ingestion: plain data, picklable across processes."""

from dataclasses import dataclass, field


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
