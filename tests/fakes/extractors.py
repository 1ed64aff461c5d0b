"""A deterministic `Extractor`: text files become one chunk per paragraph, with no docling and
no process pool, and a file's outcome can be scripted by its content (corrupt, empty, too
large...), raised as the real parser raises it."""

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from domain.documents.chunking import CHUNK_SEPARATOR
from domain.documents.extraction import ChunkDraft, ExtractedDocument
from domain.documents.kinds import DocumentKind
from domain.errors import DocumentTooLarge, EmptyDocument

# The kinds read as UTF-8 text; the others need a script (see `ParagraphExtractor.script`).
TEXT_KINDS = frozenset({DocumentKind.TEXT, DocumentKind.MARKDOWN, DocumentKind.CSV})
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")  # as the real parser splits plain text
_HEADING = re.compile(r"(#{1,6})[ \t]+(.+)")
PAGE_BREAK = "\f"  # in a fake's text, starts the next page, as pdftotext writes them


def content_hash(content: bytes | Path) -> str:
    """What scripts are keyed by: the file's bytes, as stored (the stored copy has no name)."""
    data = content.read_bytes() if isinstance(content, Path) else content
    return hashlib.sha256(data).hexdigest()


class ParagraphExtractor:
    """Reads text, Markdown and CSV files as UTF-8: each paragraph (lines up to a blank line)
    is a chunk, a Markdown heading starts the heading path of the paragraphs under it, and a
    form feed starts a new page (text without one has no pages, like flowing text in the
    real parser). A file with more pages than `max_pages` is `DocumentTooLarge`, one with
    no text `EmptyDocument`, as the real parser says them.

    `script` gives the outcome of a given file instead: a rejection to raise (a PDF that is
    `CorruptDocument`...) or a document to return. Keeps the kind and content hash of every
    file it was given, and counts how many times it was started and closed."""

    def __init__(self, *, max_pages: int = 500) -> None:
        self.max_pages = max_pages
        self.extracted: list[tuple[DocumentKind, str]] = []
        self._scripts: dict[str, ExtractedDocument | Exception] = {}
        self.started = self.closed = 0

    def script(self, content: bytes | Path, outcome: ExtractedDocument | Exception) -> None:
        """From now on, a file of these bytes (or of this file's bytes) has this outcome."""
        self._scripts[content_hash(content)] = outcome

    async def start(self) -> None:
        """No processes to start."""
        self.started += 1

    async def close(self) -> None:
        """No processes to stop."""
        self.closed += 1

    async def extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        """The scripted outcome of this file, else its paragraphs."""
        digest = content_hash(path)
        self.extracted.append((kind, digest))
        scripted = self._scripts.get(digest)
        if isinstance(scripted, Exception):
            raise scripted
        if scripted is not None:
            return scripted
        if kind not in TEXT_KINDS:
            raise LookupError(
                f"ParagraphExtractor reads text, Markdown and CSV files; script this {kind} "
                "file's outcome with `script`"
            )
        pages = path.read_text(encoding="utf-8-sig", errors="replace").split(PAGE_BREAK)
        if len(pages) > self.max_pages:
            raise DocumentTooLarge(
                f"The {kind.label} has {len(pages)} pages; the limit is {self.max_pages}."
            )
        drafts = paragraphs(pages, markdown=kind is DocumentKind.MARKDOWN)
        if not drafts:
            raise EmptyDocument(f"The {kind.label} contains no text.")
        return ExtractedDocument(
            text=CHUNK_SEPARATOR.join(draft.text for draft in drafts),
            page_count=len(pages) if len(pages) > 1 else None,
            chunks=drafts,
        )


def paragraphs(pages: Sequence[str], *, markdown: bool = False) -> list[ChunkDraft]:
    """One chunk per paragraph of the pages, in order; their offsets are in the chunks' text
    joined by `CHUNK_SEPARATOR`, as `ExtractedDocument.text` is. Pages are numbered from 1
    when there are several."""
    drafts: list[ChunkDraft] = []
    headings: list[str] = []
    start = 0
    for number, page in enumerate(pages, start=1):
        for paragraph in _PARAGRAPH_BREAK.split(page):
            text = paragraph.strip()
            heading = _HEADING.fullmatch(text) if markdown else None
            if heading is not None:
                level = len(heading.group(1))
                headings = [*headings[: level - 1], heading.group(2).strip()]
                continue
            if not text:
                continue
            if drafts:
                start += len(CHUNK_SEPARATOR)
            on = number if len(pages) > 1 else None
            drafts.append(
                ChunkDraft(
                    index=len(drafts),
                    text=text,
                    start=start,
                    end=start + len(text),
                    page_start=on,
                    page_end=on,
                    heading_path=list(headings),
                    token_count=len(re.findall(r"\w+", text)),
                )
            )
            start += len(text)
    return drafts
