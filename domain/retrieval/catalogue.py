"""The embedder catalogue: every embedding model this Beacon can build, by `Embedder.name`.

An organisation's vectors are searched with the model that made them, which need not be the
configured one (during or before `beacon reembed`): so an embedder is looked up by name. A
model nobody uses is never loaded.
"""

import re

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


class EmbedderCatalogue:
    """Embedders by name: the configured one, and the others this Beacon can serve. Building
    an embedder loads nothing (its model loads on first use), so holding them costs nothing."""

    def __init__(self, configured: Embedder) -> None:
        self.configured = configured.name
        self._embedders: dict[str, Embedder] = {}
        self.add(configured)

    def add(self, embedder: Embedder) -> None:
        """Make `embedder` servable by its name (the configured one is never replaced)."""
        name = embedder.name
        if not MODEL_NAME.match(name):
            raise ValueError(f"embedding model name {name!r} must match {MODEL_NAME.pattern}")
        if embedder.dimensions < 1:
            raise ValueError("dimensions must be positive")
        if name == self.configured and name in self._embedders:
            return
        self._embedders[name] = embedder

    @property
    def names(self) -> list[str]:
        """Every model that can be served, sorted."""
        return sorted(self._embedders)

    def __contains__(self, name: object) -> bool:
        return name in self._embedders

    def dimensions(self, name: str) -> int:
        """Floats per vector of `name`."""
        return self.get(name).dimensions

    def get(self, name: str) -> Embedder:
        """The embedder called `name`."""
        embedder = self._embedders.get(name)
        if embedder is None:
            raise UnknownEmbeddingModel(name, self.names)
        return embedder

    def embedders(self) -> list[Embedder]:
        """Every embedder (to close them)."""
        return list(self._embedders.values())
