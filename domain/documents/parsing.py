"""The document parser: a pool of worker processes that a hostile file cannot take down.

The calling process only schedules work: docling, the tokenizer and the document's bytes live
in a pebble process pool (what each process runs is in `parser_worker`). A parse that runs
past the timeout has its process killed and replaced; a parser that crashes, or outgrows its
memory limit, costs one process, never the caller. Docling is imported only inside the
workers, so importing this module stays cheap for the API server.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from domain.documents.extraction import ExtractedDocument
from domain.documents.kinds import DocumentKind
from domain.documents.parser_worker import (
    OUT_OF_MEMORY_EXIT,
    ParseLimits,
    extract_in_worker,
    warm_up,
)
from domain.errors import CorruptDocument, DocumentTooLarge, TransientFailure
from domain.logs import active_configuration

# Each worker process is replaced after this many documents, bounding whatever a parser
# might leak. A replacement costs ~4 s of start-up (docling and the tokenizer) in which
# nothing parses, so it must be rare: at 50 it was half of the ingestion time of short
# documents; at 1000, ~6% (bench.uploads: the cores idled ~45% for ~4 s per 1000
# passages). The one growth measured, semchunk's memoized counters, is now dropped after
# each document (`chunking`): over 5000 short passages, or 1000 documents of long
# paragraphs, a parser's resident memory stayed within 2 MB.
_TASKS_PER_PROCESS = 10_000


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
        self._limits = ParseLimits(max_pages, max_chunk_tokens, artifacts_path, ocr)
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
            extract_in_worker, args=(self._limits, str(path), kind), timeout=self._timeout
        )
        try:
            # Cancelling this coroutine cancels the future, and pebble kills its process.
            return await asyncio.wrap_future(future)
        except TimeoutError:
            raise DocumentTooLarge(
                f"Parsing the {kind.label} took longer than {self._timeout:g} s."
            ) from None
        except ProcessExpired as expired:
            if expired.exitcode == OUT_OF_MEMORY_EXIT:
                raise DocumentTooLarge(
                    f"Parsing the {kind.label} needed more than the parser's "
                    f"{self._memory_mb} MB of memory."
                ) from None
            raise CorruptDocument(
                f"The parser crashed on this {kind.label} (exit code {expired.exitcode})."
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
                    initializer=warm_up,
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


def _ready() -> None:
    """A task that returns as soon as a warm worker picks it up."""
