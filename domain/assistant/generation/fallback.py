"""An LLM that falls back to the extractive generator when it fails before its first word."""

from collections.abc import AsyncGenerator

from domain.assistant.generation.base import (
    Delta,
    Finished,
    GenerationEvent,
    GenerationFailed,
    GenerationRequest,
    Generator,
    Meter,
    Turn,
)


class FallbackGenerator:
    """`primary` answers; if it fails or times out before its first delta, `fallback` does,
    and the Finished event names it and the primary's failure code, which the answer records.

    Once the primary has streamed a word, its failure stands: the person has seen part of
    one answer, and a second answer after it would read as one garbled text.
    """

    def __init__(self, primary: Generator, fallback: Generator) -> None:
        self.name = primary.name
        self._primary = primary
        self._fallback = fallback

    async def start(self) -> None:
        """Start both."""
        await self._primary.start()
        await self._fallback.start()

    async def close(self) -> None:
        """Close both."""
        await self._primary.close()
        await self._fallback.close()

    async def stream(
        self, request: GenerationRequest, meter: Meter | None = None
    ) -> AsyncGenerator[GenerationEvent, None]:
        """The primary's answer, or the fallback's after a failure before any delta."""
        meter = meter if meter is not None else Meter()
        streamed = False
        try:
            async for event in self._primary.stream(request, meter):
                streamed = streamed or isinstance(event, Delta)
                yield event
            return
        except GenerationFailed as error:
            if streamed:
                raise
            reason = error.code
        async for event in self._fallback.stream(request):
            if isinstance(event, Finished):
                # The failed call's usage (the prompt the server took, if any) still counts.
                yield Finished(
                    prompt_tokens=meter.prompt_tokens,
                    completion_tokens=meter.completion_tokens,
                    generator=self._fallback.name,
                    fallback_reason=reason,
                )
            else:
                yield event

    def max_tokens(self, request: GenerationRequest) -> int:
        """The primary's: the fallback costs no tokens beyond what the primary used."""
        return self._primary.max_tokens(request)

    async def rewrite(self, question: str, history: list[Turn]) -> str:
        """The primary's standalone query, or the fallback's when the primary fails."""
        try:
            return await self._primary.rewrite(question, history)
        except GenerationFailed:
            return await self._fallback.rewrite(question, history)
