"""The embedder catalogue: every embedding model this Beacon can build, by `Embedder.name`.

An organisation's vectors are searched with the model that made them, which need not be the
configured one (during or before `beacon reembed`): so an embedder is looked up by name and
built on first use, and a model nobody uses is never loaded.
"""

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.retrieval.embedding import Embedder

# Model names become LanceDB table and Weaviate collection names (see `ModelSpaces`).
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class UnknownEmbeddingModel(InvalidInput):
    """No embedder of that name can be built here."""

    def __init__(self, name: str, known: list[str], message: str | None = None) -> None:
        super().__init__(
            "model",
            message or f"No embedding model {name!r} is available here; known: {', '.join(known)}.",
        )
        self.name = name


@dataclass(frozen=True)
class _Entry:
    dimensions: int
    build: Callable[[], Embedder]


class EmbedderCatalogue:
    """Embedders by name: the configured one, and others built lazily when first asked for."""

    def __init__(self, configured: Embedder) -> None:
        self._entries: dict[str, _Entry] = {}
        self._built: dict[str, Embedder] = {}
        self._lock = threading.Lock()
        self.configured = configured.name
        self.add(configured.name, configured.dimensions, lambda: configured)
        self._built[configured.name] = configured

    def add(self, name: str, dimensions: int, build: Callable[[], Embedder]) -> None:
        """Make `name` buildable (the configured embedder's entry is never replaced)."""
        if not MODEL_NAME.match(name):
            raise ValueError(f"embedding model name {name!r} must match {MODEL_NAME.pattern}")
        if dimensions < 1:
            raise ValueError("dimensions must be positive")
        if name in self._entries and name == self.configured:
            return
        self._entries[name] = _Entry(dimensions, build)

    @property
    def names(self) -> list[str]:
        """Every model that can be built, sorted."""
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def dimensions(self, name: str) -> int:
        """Floats per vector of `name`, without building it."""
        return self._entry(name).dimensions

    def get(self, name: str) -> Embedder:
        """The embedder called `name`, built on first use."""
        entry = self._entry(name)
        with self._lock:
            embedder = self._built.get(name)
            if embedder is None:
                embedder = entry.build()
                if (embedder.name, embedder.dimensions) != (name, entry.dimensions):
                    raise ValueError(
                        f"the catalogue's {name!r} ({entry.dimensions} dimensions) built "
                        f"{embedder.name!r} ({embedder.dimensions} dimensions)"
                    )
                self._built[name] = embedder
            return embedder

    def built(self) -> list[Embedder]:
        """The embedders built so far (to close them)."""
        with self._lock:
            return list(self._built.values())

    def _entry(self, name: str) -> _Entry:
        entry = self._entries.get(name)
        if entry is None:
            raise UnknownEmbeddingModel(name, self.names)
        return entry
