"""Parsing and chunking with docling, in worker processes that a hostile file cannot take down.

The calling process only schedules work: docling, the tokenizer and the document's bytes live
in a pebble process pool. A parse that runs past the timeout has its process killed and
replaced; a parser that crashes, or outgrows its memory limit, costs one process, never the
caller. Docling is imported only inside the workers, so importing this module stays cheap for
the API server.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from pebble import ProcessExpired, ProcessPool

from domain.documents.chunking import CHUNK_SEPARATOR, Chunker
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
    TransientFailure,
)
from domain.logs import LogConfiguration, active_configuration, configure_logging

if TYPE_CHECKING:
    from docling.datamodel.base_models import InputFormat
    from docling.document_converter import DocumentConverter, FormatOption
    from docling_core.types.doc.document import DoclingDocument

_log = logging.getLogger(__name__)

# Each worker process is replaced after this many documents, bounding what parsers leak
# (semchunk, used by the chunker, memoizes token counts without limit). A replacement
# costs ~4 s of start-up (docling and the tokenizer), so it must be rare: at 50 it was
# half of the ingestion time of short documents; at 1000 it is ~4 ms a document.
_TASKS_PER_PROCESS = 1000

_LABELS = {
    DocumentKind.PDF: "PDF",
    DocumentKind.DOCX: "Word document",
    DocumentKind.PPTX: "PowerPoint presentation",
    DocumentKind.XLSX: "Excel workbook",
    DocumentKind.HTML: "HTML page",
    DocumentKind.MARKDOWN: "Markdown file",
    DocumentKind.CSV: "CSV file",
    DocumentKind.TEXT: "text file",
}
# Docling guesses a stream's format from its name and content; naming the stream after the
# kind sniffed from its bytes keeps docling from second-guessing (stored files have no suffix).
_STREAM_NAMES = {
    DocumentKind.PDF: "document.pdf",
    DocumentKind.DOCX: "document.docx",
    DocumentKind.PPTX: "document.pptx",
    DocumentKind.XLSX: "document.xlsx",
    DocumentKind.HTML: "document.html",
    DocumentKind.MARKDOWN: "document.md",
    DocumentKind.CSV: "document.csv",
}
# A worker that ran out of memory ends with this status: whatever it held half-built, the pool
# starts a fresh process, and the caller can tell this death from a crash.
_OUT_OF_MEMORY_EXIT = 86
_MIB = 1024 * 1024
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class _Limits:
    """Everything a worker needs to know, sent with each task so workers hold no config."""

    max_pages: int
    max_chunk_tokens: int
    artifacts_path: Path | None
    ocr: bool = True  # read PDF pages without a text layer with OCR (see `ocr`)


class DocumentParser:
    """Turns a stored file into text and embedding-sized chunks, isolated in worker processes."""

    def __init__(
        self,
        max_pages: int = 500,
        timeout_seconds: float = 300,
        artifacts_path: Path | None = None,
        max_chunk_tokens: int = 256,
        processes: int = 1,
        memory_mb: int | None = 4096,
        worker_setup: Callable[[], None] | None = None,
        ocr: bool = True,
    ) -> None:
        """`memory_mb` is what a worker may map beyond docling and the tokenizer once they are
        loaded (None: no limit). `worker_setup`, a picklable function, runs in each worker
        once it is warm: tests use it to make a worker misbehave; production passes none."""
        self._limits = _Limits(max_pages, max_chunk_tokens, artifacts_path, ocr)
        self._timeout = timeout_seconds
        self._memory_mb = memory_mb
        self._worker_setup = worker_setup
        self._processes = processes
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()
        self._closed = False
        # pebble hands a queued task to a freed process only on its next 0.1 s tick, so
        # with more parses in flight than processes each waited ~100 ms. Submitting only
        # when a process is free keeps dispatch immediate.
        self._free = threading.BoundedSemaphore(processes)

    async def start(self) -> None:
        """Start the worker processes and wait until one has docling and its tokenizer loaded."""
        await asyncio.wrap_future(self._running_pool().schedule(_ready))

    async def extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        """Parse and chunk one file; a file Beacon cannot ingest raises a DocumentRejected."""
        # A free process is taken at once; only waiting for one needs a thread.
        if not self._free.acquire(blocking=False):
            waiting = asyncio.ensure_future(asyncio.to_thread(self._free.acquire))
            try:
                await asyncio.shield(waiting)
            except asyncio.CancelledError:
                # The thread still gets the process in the end: hand it straight back.
                waiting.add_done_callback(lambda _: self._free.release())
                raise
        try:
            return await self._extract(path, kind)
        finally:
            self._free.release()

    async def _extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        future = self._running_pool().schedule(
            _extract_in_worker, args=(self._limits, str(path), kind), timeout=self._timeout
        )
        try:
            # Cancelling this coroutine cancels the future, and pebble kills its process.
            return await asyncio.wrap_future(future)
        except TimeoutError:
            raise DocumentTooLarge(
                f"Parsing the {_LABELS[kind]} took longer than {self._timeout:g} s."
            ) from None
        except ProcessExpired as expired:
            if expired.exitcode == _OUT_OF_MEMORY_EXIT:
                raise DocumentTooLarge(
                    f"Parsing the {_LABELS[kind]} needed more than the parser's "
                    f"{self._memory_mb} MB of memory."
                ) from None
            raise CorruptDocument(
                f"The parser crashed on this {_LABELS[kind]} (exit code {expired.exitcode})."
            ) from None
        except BrokenProcessPool:
            self._discard_pool()
            raise TransientFailure("The document parser stopped unexpectedly; retry.") from None

    async def close(self) -> None:
        """Stop the worker processes; pending parses fail."""
        with self._lock:
            self._closed = True
        self._discard_pool()

    def _running_pool(self) -> ProcessPool:
        with self._lock:
            if self._closed:
                raise RuntimeError("The document parser is closed.")
            if self._pool is not None and not self._pool.active:
                # A pool that hit an internal error accepts no more work; replace it.
                self._pool.stop()  # type: ignore[no-untyped-call, unused-ignore]
                self._pool.join()
                self._pool = None
            if self._pool is None:
                self._pool = ProcessPool(
                    max_workers=self._processes,
                    max_tasks=_TASKS_PER_PROCESS,
                    initializer=_warm_up,
                    initargs=(
                        self._limits,
                        self._memory_mb,
                        self._worker_setup,
                        active_configuration(),
                    ),
                    # A fresh interpreter, not a fork: the caller runs threads (event loop,
                    # queue workers) that a fork would copy mid-flight. Spawned workers
                    # re-import the caller's __main__, which must guard its entry point.
                    context=multiprocessing.get_context("spawn"),
                )
            return self._pool

    def _discard_pool(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()  # type: ignore[no-untyped-call, unused-ignore]
            pool.join()


# --- Everything below runs inside a worker process. ---

_worker: _Worker | None = None


def _warm_up(
    limits: _Limits,
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


def _ready() -> None:
    """A task that returns as soon as a warm worker picks it up."""


def _extract_in_worker(limits: _Limits, path: str, kind: DocumentKind) -> ExtractedDocument:
    """Parse and chunk in the worker; only picklable Beacon errors travel back."""
    try:
        return _worker_for(limits).extract(Path(path), kind)
    except DocumentRejected:
        raise
    except MemoryError:
        # Past the memory limit. Whatever the allocation interrupted may be left half-built
        # (in docling's state too), so this process ends rather than parse on; the pool
        # replaces it and the caller reads the exit status.
        _log.error("A %s needed more memory than the parser may have; it ends", _LABELS[kind])
        sys.stderr.flush()
        os._exit(_OUT_OF_MEMORY_EXIT)
    except Exception as error:
        # Third-party exceptions may not unpickle in the caller, which would break the pool;
        # the formatted chain (cause included) still reaches the caller's traceback.
        raise RuntimeError(f"Parsing failed: {type(error).__name__}: {error}") from error


def _worker_for(limits: _Limits) -> _Worker:
    global _worker
    if _worker is None or _worker.limits != limits:
        _worker = _Worker(limits)
    return _worker


class _Worker:
    """A worker's docling converter, tokenizer and chunker, built once per process."""

    def __init__(self, limits: _Limits) -> None:
        # Nothing may be downloaded at run time: the tokenizer comes from an installed package.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        # The tokenizer only counts the tokens of one passage at a time; its Rust thread pool
        # would spin on the cores the embedder needs (measured: ~3 CPU s per 400 documents).
        os.environ["TOKENIZERS_PARALLELISM"] = "false"
        # The chunker warns when headings are too long to repeat; log it like the rest.
        logging.captureWarnings(True)
        self.limits = limits
        self.converter = _converter(limits)
        self.chunker = Chunker(limits.max_chunk_tokens)
        self.reader = PageReader() if limits.ocr else None

    def extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        """Parse, chunk and measure one file."""
        scanned = self._check_pdf(path) if kind is DocumentKind.PDF else []
        if kind is DocumentKind.TEXT:
            document = _text_document(path)
        else:  # plain Markdown needs no converter (see `light`)
            document = light_document(path, kind) or self._convert(path, kind)
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
            raise EmptyDocument(f"The {_LABELS[kind]} contains no text.")
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

    def _convert(self, path: Path, kind: DocumentKind) -> DoclingDocument:
        from docling.datamodel.base_models import ConversionStatus, DocumentStream

        label = _LABELS[kind]
        stream = DocumentStream(name=_STREAM_NAMES[kind], stream=BytesIO(path.read_bytes()))
        try:
            result = self.converter.convert(
                stream, raises_on_error=False, max_num_pages=self.limits.max_pages
            )
        except MemoryError:
            raise  # not the file's damage: the process ends (see _extract_in_worker)
        except Exception:
            # Backends raise whatever their XML or zip library raised on malformed input.
            _log.exception("docling failed on a %s", label)
            raise CorruptDocument(f"The {label} is damaged and cannot be read.") from None
        for error in result.errors:
            _log.warning("docling on a %s: %s", label, error.error_message)
        if result.status is ConversionStatus.SUCCESS:
            return result.document
        if result.input.page_count > self.limits.max_pages:
            raise DocumentTooLarge(
                f"The {label} has {result.input.page_count} pages; "
                f"the limit is {self.limits.max_pages}."
            )
        if result.status is ConversionStatus.PARTIAL_SUCCESS:
            # All or nothing: a document silently missing pages would mislead its readers.
            failed = sorted({error.page_no for error in result.errors if error.page_no})
            where = f"Pages {', '.join(map(str, failed))}" if failed else "Parts"
            raise CorruptDocument(f"{where} of the {label} are damaged and cannot be read.")
        if result.status is ConversionStatus.SKIPPED:
            # Docling's own sniffing disagreed with ours: the bytes are not a usable file.
            raise CorruptDocument(f"The file is not a readable {label}.")
        raise CorruptDocument(f"The {label} is damaged and cannot be read.")


def _converter(limits: _Limits) -> DocumentConverter:
    """A converter for the accepted formats; PDFs go through a model-free pipeline by default."""
    from docling.datamodel.base_models import InputFormat
    from docling.datamodel.pipeline_options import NativePdfPipelineOptions, PdfPipelineOptions
    from docling.document_converter import (
        DocumentConverter,
        NativePdfFormatOption,
        PdfFormatOption,
    )

    pdf: FormatOption
    if limits.artifacts_path is None:
        # Text cells straight from the PDF, with their pages; no page images, no models.
        pdf = NativePdfFormatOption(
            pipeline_options=NativePdfPipelineOptions(
                generate_page_images=False, generate_picture_images=False, parser_threads=1
            )
        )
    else:
        # Layout and table models from local artifacts give headings and tables; OCR stays
        # off because its models are not among those artifacts.
        pdf = PdfFormatOption(
            pipeline_options=PdfPipelineOptions(
                artifacts_path=limits.artifacts_path, do_ocr=False, generate_page_images=False
            )
        )
    formats: list[InputFormat] = [
        InputFormat.PDF,
        InputFormat.DOCX,
        InputFormat.PPTX,
        InputFormat.XLSX,
        InputFormat.HTML,
        InputFormat.MD,
        InputFormat.CSV,
    ]
    converter = DocumentConverter(allowed_formats=formats, format_options={InputFormat.PDF: pdf})
    for input_format in formats:
        converter.initialize_pipeline(input_format)
    return converter


def _text_document(path: Path) -> DoclingDocument:
    """Plain text as one docling text item per paragraph; Markdown rules would mangle it."""
    from docling_core.types.doc.document import DoclingDocument
    from docling_core.types.doc.labels import DocItemLabel

    document = DoclingDocument(name=path.stem)
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    for paragraph in _PARAGRAPH_BREAK.split(text):
        if paragraph.strip():
            document.add_text(label=DocItemLabel.TEXT, text=paragraph.strip())
    return document
