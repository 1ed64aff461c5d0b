"""What runs inside a parser process: warming up, the memory cap, and one document's parse.

`parsing.DocumentParser` schedules these functions in its process pool. Each process builds
one `Worker` (docling's converter, the tokenizer and the chunker) and keeps it for every
document it parses; only picklable Beacon errors travel back to the caller.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from domain.documents.chunking import CHUNK_SEPARATOR, Chunker
from domain.documents.conversion import Converter, text_document
from domain.documents.extraction import ExtractedDocument
from domain.documents.kinds import DocumentKind
from domain.documents.light import light_document
from domain.documents.ocr import PageReader, merge_pages, pages_without_text, read_pages
from domain.errors import (
    CorruptDocument,
    DocumentRejected,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
)
from domain.logs import LogConfiguration, configure_logging

_log = logging.getLogger(__name__)

# A worker that ran out of memory ends with this status: whatever it held half-built, the pool
# starts a fresh process, and the caller can tell this death from a crash.
OUT_OF_MEMORY_EXIT = 86
_MIB = 1024 * 1024


@dataclass(frozen=True)
class ParseLimits:
    """Everything a worker needs to know, sent with each task so workers hold no config."""

    max_pages: int
    max_chunk_tokens: int
    artifacts_path: Path | None
    ocr: bool = True  # read PDF pages without a text layer with OCR (see `ocr`)


_worker: Worker | None = None


def warm_up(
    limits: ParseLimits,
    memory_mb: int | None,
    setup: Callable[[], None] | None = None,
    logs: LogConfiguration | None = None,
) -> None:
    """Pool initializer: log as the parent does, load docling and the tokenizer before the
    first document's clock starts, then cap the memory that documents can make the process
    allocate."""
    if logs is not None:  # a spawned interpreter starts with no logging configured
        configure_logging(*logs)
    try:
        _worker_for(limits)
    except Exception:
        # An initializer that raises makes pebble discard the pool; the first document
        # retries the set-up and reports the error instead.
        _log.exception("Warming up the document parser failed")
    if memory_mb is not None:
        _limit_memory(memory_mb)
    if setup is not None:
        setup()
    # Docling, the tokenizer and their modules live as long as the process: kept out of
    # the cyclic GC, whose full collections walked them (measured: 0.20 s of GC while
    # parsing bench.ingest's corpus, 0.03 s frozen).
    gc.freeze()


def _limit_memory(headroom_mb: int) -> None:
    """Cap the address space at what the warm process maps plus `headroom_mb`.

    Measured from the process itself rather than set as a total: once docling, torch and the
    tokenizer are loaded a worker maps ~3.6 GB, though only ~0.7 GB of it is resident, and
    that figure moves with library versions and the PDF pipeline. A document that makes the
    parser allocate past the cap gets a MemoryError instead of the machine's memory.
    """
    try:
        import resource
    except ImportError:  # not a Unix: no cap
        _log.warning("The parser's memory limit needs RLIMIT_AS, which this platform lacks")
        return
    mapped = _mapped_bytes()
    if mapped is None:
        _log.warning("The parser's memory limit is off: /proc/self/status is unreadable")
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + headroom_mb * _MIB
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _mapped_bytes() -> int | None:
    """The process's virtual size (VmSize), None where /proc does not tell."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024  # in kB
    except OSError:
        return None
    return None


def extract_in_worker(limits: ParseLimits, path: str, kind: DocumentKind) -> ExtractedDocument:
    """Parse and chunk in the worker; only picklable Beacon errors travel back."""
    try:
        return _worker_for(limits).extract(Path(path), kind)
    except DocumentRejected:
        raise
    except MemoryError:
        # Past the memory limit. Whatever the allocation interrupted may be left half-built
        # (in docling's state too), so this process ends rather than parse on; the pool
        # replaces it and the caller reads the exit status.
        _log.error("A %s needed more memory than the parser may have; it ends", kind.label)
        sys.stderr.flush()
        os._exit(OUT_OF_MEMORY_EXIT)
    except Exception as error:
        # Third-party exceptions may not unpickle in the caller, which would break the pool;
        # the formatted chain (cause included) still reaches the caller's traceback.
        raise RuntimeError(f"Parsing failed: {type(error).__name__}: {error}") from error


def _worker_for(limits: ParseLimits) -> Worker:
    global _worker
    if _worker is None or _worker.limits != limits:
        _worker = Worker(limits)
    return _worker


class Worker:
    """A worker's docling converter, tokenizer and chunker, built once per process."""

    def __init__(self, limits: ParseLimits) -> None:
        # Nothing may be downloaded at run time: the tokenizer comes from an installed package.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        # The tokenizer only counts the tokens of one passage at a time; its Rust thread pool
        # would spin on the cores the embedder needs (measured: ~3 CPU s per 400 documents).
        os.environ["TOKENIZERS_PARALLELISM"] = "false"
        # The chunker warns when headings are too long to repeat; log it like the rest.
        logging.captureWarnings(True)
        self.limits = limits
        self.converter = Converter(limits.max_pages, limits.artifacts_path)
        self.chunker = Chunker(limits.max_chunk_tokens)
        self.reader = PageReader() if limits.ocr else None

    def extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        """Parse, chunk and measure one file."""
        scanned = self._check_pdf(path) if kind is DocumentKind.PDF else []
        if kind is DocumentKind.TEXT:
            document = text_document(path)
        else:  # plain Markdown needs no converter (see `light`)
            document = light_document(path, kind) or self.converter.convert(path, kind)
        if scanned and self.reader is not None:
            # Within the task's timeout, like docling's conversion.
            merge_pages(document, list(read_pages(path, scanned, self.reader)))
        drafts = self.chunker.chunk(document)
        if not drafts:
            if kind is DocumentKind.PDF and self.reader is None:
                raise EmptyDocument(
                    "The PDF has no text layer; scanned pages would need OCR, which is off."
                )
            if kind is DocumentKind.PDF:
                raise EmptyDocument("The PDF has no text layer, and OCR found no text in it.")
            raise EmptyDocument(f"The {kind.label} contains no text.")
        return ExtractedDocument(
            text=CHUNK_SEPARATOR.join(draft.text for draft in drafts),
            # PDF pages, and slides and sheets as docling numbers them; None for flowing text.
            page_count=len(document.pages) or None,
            chunks=drafts,
        )

    def _check_pdf(self, path: Path) -> list[int]:
        """The numbers of the pages without a text layer, once the PDF passes the checks."""
        # pdfium tells a password from damage and counts pages without parsing them, so these
        # refusals cost milliseconds and never reach docling.
        import pypdfium2  # type: ignore[import-untyped, unused-ignore]

        try:
            pdf = pypdfium2.PdfDocument(path)
        except pypdfium2.PdfiumError as error:
            if error.err_code == pypdfium2.raw.FPDF_ERR_PASSWORD:
                raise EncryptedDocument("The PDF is password-protected.") from None
            raise CorruptDocument("The PDF is damaged or truncated and cannot be read.") from None
        try:
            pages = len(pdf)
            if pages > self.limits.max_pages:
                raise DocumentTooLarge(
                    f"The PDF has {pages} pages; the limit is {self.limits.max_pages}."
                )
            return pages_without_text(pdf) if self.reader is not None else []
        finally:
            pdf.close()
