"""The generation port: numbered sources in, streamed text with [n] markers out."""

import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from domain.errors import BeaconError


@dataclass(frozen=True)
class Source:
    """One retrieved chunk, numbered as the answer cites it ([1], [2], ...)."""

    number: int
    chunk_id: uuid.UUID
    document_id: uuid.UUID
    title: str
    text: str  # the chunk's text: its headings, a line each, then its own text
    page: int | None = None
    score: float = 0.0
    heading_path: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Turn:
    """An earlier message of the conversation."""

    role: Literal["user", "assistant"]
    text: str


# The version of Beacon's own instructions (BEACON_INSTRUCTIONS and SOURCE_HANDLING in
# openai_compatible.py): bump it with every change of their text, as answers record it.
BEACON_PROMPT_VERSION = 1


@dataclass(frozen=True)
class GenerationRequest:
    """What the generator answers: the question, its sources (untrusted text) and history."""

    question: str
    sources: list[Source]
    history: list[Turn] = field(default_factory=list)
    instructions: str | None = None  # the organisation's system prompt; None: Beacon's own


@dataclass(frozen=True)
class Delta:
    """A piece of the answer's text, in order."""

    text: str


@dataclass(frozen=True)
class Finished:
    """The end of a stream, with the tokens it cost (0 when the generator counts none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    generator: str = ""  # who wrote the answer, when not the configured generator itself
    fallback_reason: str | None = None  # why the configured one did not (its failure code)


GenerationEvent = Delta | Finished


@dataclass
class Meter:
    """The tokens an answer has used so far, kept current by the generator while it streams.

    Finished reports the usage of a complete answer; an answer that fails, times out or is
    abandoned midway ends without one, and is charged what its meter shows.
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total(self) -> int:
        """Prompt and completion tokens together."""
        return self.prompt_tokens + self.completion_tokens


class GenerationFailed(BeaconError):
    """The generator could not answer; `code` says why (LLM_UNAVAILABLE, LLM_TIMEOUT, ...)."""

    code = "GENERATION_FAILED"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Generator(Protocol):
    """Writes answers grounded in numbered sources."""

    name: str

    async def start(self) -> None:
        """Get ready to answer (idempotent)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...

    def stream(
        self, request: GenerationRequest, meter: Meter | None = None
    ) -> AsyncGenerator[GenerationEvent, None]:
        """Deltas, then exactly one Finished; raises GenerationFailed. Closing the iterator
        (the client went away) must stop the work, including any upstream call. The `meter`,
        when given, shows at every moment the tokens used so far, however the stream ends."""
        ...

    def max_tokens(self, request: GenerationRequest) -> int:
        """The most tokens answering `request` can use: reserved from the budget beforehand,
        so it must not be less than what `stream` may report."""
        ...

    async def rewrite(self, question: str, history: list[Turn]) -> str:
        """The question as a standalone search query, using the conversation so far."""
        ...
