"""A scripted `Generator`: every answer is the same given deltas, then the given usage or the
given error, with no model or server behind it."""

from collections.abc import AsyncGenerator, Sequence

from domain.assistant.generation.base import (
    Delta,
    Finished,
    GenerationEvent,
    GenerationRequest,
    Meter,
    Turn,
)


class ScriptedGenerator:
    """Streams `deltas`, then `finished` (or raises `failure` instead), keeping the meter
    current as a model does: the prompt's tokens from the start, one token a delta.

    `max_tokens` is what it reserves (by default what `finished` reports); `rewrite` returns
    the question as it is, or raises `rewrite_failure`. It keeps every request it was given,
    how many deltas it wrote, whether a stream ended, however (finished, failed, or closed by
    a consumer that went away), and how many times it was started and closed."""

    def __init__(
        self,
        deltas: Sequence[str] = ("Noted.",),
        *,
        finished: Finished | None = None,
        failure: Exception | None = None,
        max_tokens: int | None = None,
        rewrite_failure: Exception | None = None,
        name: str = "scripted",
    ) -> None:
        self.name = name
        self._deltas = list(deltas)
        self._finished = finished if finished is not None else Finished()
        self._failure = failure
        self._max_tokens = (
            max_tokens
            if max_tokens is not None
            else self._finished.prompt_tokens + self._finished.completion_tokens
        )
        self._rewrite_failure = rewrite_failure
        self.requests: list[GenerationRequest] = []
        self.written = 0
        self.ended = False
        self.started = self.closed = 0

    async def start(self) -> None:
        """Nothing to reach."""
        self.started += 1

    async def close(self) -> None:
        """Nothing to release."""
        self.closed += 1

    async def stream(
        self, request: GenerationRequest, meter: Meter | None = None
    ) -> AsyncGenerator[GenerationEvent, None]:
        """The script, for any request."""
        self.requests.append(request)
        meter = meter if meter is not None else Meter()
        meter.prompt_tokens = self._finished.prompt_tokens
        try:
            for text in self._deltas:
                self.written += 1
                meter.completion_tokens += 1
                yield Delta(text)
            if self._failure is not None:
                raise self._failure
            yield self._finished
        finally:
            self.ended = True

    def max_tokens(self, request: GenerationRequest) -> int:
        """The same reservation for every request."""
        return self._max_tokens

    async def rewrite(self, question: str, history: list[Turn]) -> str:
        """The question itself, or the scripted failure."""
        if self._rewrite_failure is not None:
            raise self._rewrite_failure
        return question
