"""The offline generator: quotes the sentences of the sources that answer the question."""

import asyncio
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from domain.assistant.generation.base import (
    Delta,
    Finished,
    GenerationEvent,
    GenerationRequest,
    Meter,
    Source,
    Turn,
)
from domain.assistant.rewriting import rewrite_follow_up
from domain.assistant.text import body_start, content_words, coverage, sentences

NOT_COVERED = (
    "The documents you can see do not cover this question, so I cannot answer it from them."
)
_MIN_COVERAGE = 0.34  # a third of the question's content words, at least
_MAX_QUOTES = 3
# A document's own reference marks ("...communities [1].", as wikis write them): quoted as
# they are, they would read as Beacon's markers and cite whichever source is numbered so.
_SOURCE_MARKER = re.compile(r"\s*\[\d{1,3}\]")


@dataclass(frozen=True)
class _Quote:
    source: Source
    sentence: str
    score: float


class ExtractiveGenerator:
    """Picks the best-matching sentences, quotes them verbatim with [n] (less any reference
    marks of their own), and never invents.

    Source text is only ever quoted, so instructions hidden in a document are just more
    words to match: they cannot change what this generator does.
    """

    name = "extractive"

    async def start(self) -> None:
        """Nothing to open: it runs in this process."""

    async def close(self) -> None:
        """Nothing to release."""

    async def stream(
        self, request: GenerationRequest, meter: Meter | None = None
    ) -> AsyncGenerator[GenerationEvent, None]:
        """The answer, a few words per delta; it costs no tokens, so the meter stays at 0."""
        text = self.compose(request)
        words = text.split(" ")
        for index, word in enumerate(words):
            yield Delta(word if index == len(words) - 1 else word + " ")
            await asyncio.sleep(0)  # let other answers (and cancellation) in
        yield Finished()

    def max_tokens(self, request: GenerationRequest) -> int:
        """Nothing: no language model runs."""
        return 0

    async def rewrite(self, question: str, history: list[Turn]) -> str:
        """A deterministic standalone query (see `rewrite_follow_up`)."""
        return rewrite_follow_up(question, history)

    def compose(self, request: GenerationRequest) -> str:
        """The whole answer text."""
        quotes = self._quotes(request)
        if not quotes:
            return NOT_COVERED
        quoted = " ".join(
            f"\u201c{_SOURCE_MARKER.sub('', q.sentence)}\u201d [{q.source.number}]" for q in quotes
        )
        return f"According to your documents: {quoted}"

    def _quotes(self, request: GenerationRequest) -> list[_Quote]:
        terms = content_words(request.question)
        candidates: list[_Quote] = []
        for rank, source in enumerate(request.sources):
            body = source.text[body_start(source.text, source.heading_path) :]
            for sentence in sentences(body):
                score = coverage(terms, sentence)
                if score >= _MIN_COVERAGE:
                    # Retrieval order breaks ties: earlier sources were judged more relevant.
                    candidates.append(_Quote(source, sentence, score - rank * 1e-3))
        if not candidates:
            return []
        best = max(c.score for c in candidates)
        chosen: list[_Quote] = []
        for quote in sorted(candidates, key=lambda c: c.score, reverse=True):
            if quote.score < best * 0.6 or len(chosen) == _MAX_QUOTES:
                break
            if all(quote.sentence != c.sentence for c in chosen):
                chosen.append(quote)
        return sorted(chosen, key=lambda c: c.source.number)
