"""Citations: every [n] in an answer becomes a snippet that appears verbatim in source n."""

import re
import uuid
from dataclasses import asdict, dataclass

from domain.assistant.generation.base import Source
from domain.assistant.text import body_start, content_words, coverage, sentences

_MARKER = re.compile(r"\[(\d{1,3})\]")
_QUOTED = re.compile(r"[\u201c\"]([^\u201d\"]+)[\u201d\"]\s*$")


@dataclass(frozen=True)
class CitedChunk:
    """What a citation needs to know about the chunk behind a source."""

    start: int  # the chunk's offset in its document's extracted text
    page: int | None


@dataclass(frozen=True)
class CitationData:
    """A citation as stored with the answer and shown to clients."""

    number: int
    document_id: uuid.UUID
    chunk_id: uuid.UUID
    snippet: str
    page: int | None
    score: float
    start: int  # offset of `snippet` in the document's extracted text
    end: int

    def to_json(self) -> dict[str, object]:
        """For the message's JSON column."""
        data = asdict(self)
        data["document_id"] = str(self.document_id)
        data["chunk_id"] = str(self.chunk_id)
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "CitationData":
        """From the message's JSON column."""
        values = dict(data)
        values["document_id"] = uuid.UUID(str(values["document_id"]))
        values["chunk_id"] = uuid.UUID(str(values["chunk_id"]))
        return cls(**values)  # type: ignore[arg-type]


def cite(
    answer: str, sources: list[Source], chunks: dict[uuid.UUID, CitedChunk]
) -> list[CitationData]:
    """One citation per source the answer marks, in order of first mention."""
    by_number = {source.number: source for source in sources}
    citations: list[CitationData] = []
    seen: set[int] = set()
    for marker in _MARKER.finditer(answer):
        number = int(marker.group(1))
        source = by_number.get(number)
        if source is None or number in seen or source.chunk_id not in chunks:
            continue
        seen.add(number)
        claim = _claim_before(answer, marker.start())
        snippet, offset = _verbatim_snippet(claim, source.text, source.heading_path)
        chunk = chunks[source.chunk_id]
        citations.append(
            CitationData(
                number=number,
                document_id=source.document_id,
                chunk_id=source.chunk_id,
                snippet=snippet,
                page=chunk.page,
                score=source.score,
                start=chunk.start + offset,
                end=chunk.start + offset + len(snippet),
            )
        )
    return citations


def _claim_before(answer: str, position: int) -> str:
    """The sentence (or quotation) that a marker at `position` vouches for."""
    before = answer[:position].rstrip()
    quoted = _QUOTED.search(before)
    if quoted:
        return quoted.group(1)
    parts = sentences(before)
    return parts[-1] if parts else before


def _verbatim_snippet(claim: str, chunk_text: str, heading_path: list[str]) -> tuple[str, int]:
    """The claim itself if the chunk's own text contains it, else its closest sentence there
    (never the headings in front, which may come from an earlier page)."""
    start = body_start(chunk_text, heading_path)
    cleaned = claim.strip()
    if cleaned and (found := chunk_text.find(cleaned, start)) >= 0:
        return cleaned, found
    terms = content_words(claim)
    body = chunk_text[start:]
    candidates = sentences(body) or [body]
    best = max(candidates, key=lambda sentence: coverage(terms, sentence))
    return best, start + max(body.find(best), 0)
