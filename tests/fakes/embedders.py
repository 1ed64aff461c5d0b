"""A deterministic embedder of any size and name, with no model to load."""

import hashlib
import math
import re
from collections.abc import Sequence


class HashEmbedder:
    """Sums a hashed unit direction per word: texts sharing words are near, and the same text
    always gets the same vector. Records every text it embedded, and how many times it was
    started and closed; `fail_after` calls raise."""

    def __init__(self, name: str, dimensions: int, *, fail_after: int | None = None) -> None:
        self.name = name
        self.dimensions = dimensions
        self.embedded: list[str] = []
        self._fail_after = fail_after
        self.started = self.closed = 0

    async def start(self) -> None:
        """Nothing to load."""
        self.started += 1

    async def close(self) -> None:
        """Nothing to release."""
        self.closed += 1

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One normalised vector per text."""
        if self._fail_after is not None:
            if self._fail_after == 0:
                raise RuntimeError(f"{self.name} stopped")
            self._fail_after -= 1
        self.embedded += texts
        return [self.vector(text) for text in texts]

    def vector(self, text: str) -> list[float]:
        """The vector of `text`."""
        values = [0.0] * self.dimensions
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.sha256(f"{self.name}:{word}".encode()).digest()
            values[digest[0] % self.dimensions] += 1.0 if digest[1] % 2 else -1.0
        norm = math.sqrt(sum(value * value for value in values)) or 1.0
        return [value / norm for value in values]
