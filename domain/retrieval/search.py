"""Hybrid search: BM25 and dense vectors, fused (`fusion.py`), access control inside each query."""

import asyncio
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import structlog

from domain.documents.access import vector_access
from domain.documents.models import Document
from domain.errors import InvalidInput
from domain.identity.principal import Principal
from domain.metrics import METRICS
from domain.retrieval.fusion import Fusion, fuse
from domain.retrieval.spaces import ModelSpaces
from domain.retrieval.vectorstores.base import Access, VectorHit

MAX_QUERY_CHARS = 2000
MAX_RESULTS = 100

log = structlog.get_logger(__name__)
T = TypeVar("T")


class SearchMode(StrEnum):
    """Which retrievers answer."""

    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"


@dataclass(frozen=True)
class SearchResult:
    """A chunk the caller may see, best first."""

    chunk_id: uuid.UUID
    document_id: uuid.UUID
    version: int
    chunk_index: int
    text: str
    score: float
    page: int | None
    heading_path: list[str]


def check_query(query: str, field: str = "query") -> str:
    """A query worth running: not blank, not a novel."""
    cleaned = query.strip()
    if not cleaned:
        raise InvalidInput(field, "Ask something: the text is empty.")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise InvalidInput(field, f"Use at most {MAX_QUERY_CHARS} characters.")
    return cleaned


class SearchService:
    """Retrieves chunks for a caller; the stores apply the caller's access rule themselves."""

    def __init__(self, spaces: ModelSpaces, fusion: Fusion) -> None:
        self._spaces = spaces
        self._fusion = fusion

    async def search(
        self,
        actor: Principal,
        query: str,
        limit: int = 10,
        mode: SearchMode = SearchMode.HYBRID,
    ) -> list[SearchResult]:
        """The best `limit` chunks for `query` among those `actor` may see."""
        text = check_query(query)
        if not 1 <= limit <= MAX_RESULTS:
            raise InvalidInput("first", f"first must be between 1 and {MAX_RESULTS}.")
        with METRICS.search_seconds.labels(mode.value).time():
            return await self._search(vector_access(actor), text, limit, mode)

    async def _search(
        self, access: Access, text: str, limit: int, mode: SearchMode
    ) -> list[SearchResult]:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        # The organisation's active model: its vectors, and its embedder for the query (during
        # `beacon reembed`, the old model's until the new vectors are complete).
        vectors, embedder = await self._spaces.searched(access.organization_id)
        if mode is SearchMode.BM25:
            lexical, timings["text_ms"] = await _timed(vectors.search_text(text, access, limit))
            found = [_result(hit) for hit in lexical]
        else:
            embedded, timings["embed_ms"] = await _timed(embedder.embed([text]))
            vector = embedded[0]
            if mode is SearchMode.DENSE:
                hits, timings["dense_ms"] = await _timed(
                    vectors.search_vector(vector, access, limit)
                )
                found = [_result(hit) for hit in hits]
            else:
                wanted = max(limit, self._fusion.candidates)
                (dense, timings["dense_ms"]), (lexical, timings["text_ms"]) = await asyncio.gather(
                    _timed(vectors.search_vector(vector, access, wanted)),
                    _timed(vectors.search_text(text, access, wanted)),
                )
                fusing = time.perf_counter()
                found = self._fuse(dense, lexical)
                timings["fusion_ms"] = _ms_since(fusing)
        results = (await _of_existing_documents(found))[:limit]
        log.info(
            "search",
            mode=mode.value,
            limit=limit,
            candidates=len(found),
            hits=len(results),
            search_ms=_ms_since(started),
            **timings,
        )
        return results

    def _fuse(self, dense: list[VectorHit], lexical: list[VectorHit]) -> list[SearchResult]:
        hits = {hit.id: hit for hit in (*lexical, *dense)}
        fused = fuse(
            [(hit.id, hit.score) for hit in dense],
            [(hit.id, hit.score) for hit in lexical],
            self._fusion,
        )
        return [_result(hits[chunk], score) for chunk, score in fused]


async def _of_existing_documents(results: list[SearchResult]) -> list[SearchResult]:
    """The results whose document still exists.

    A deleted document's rows go at once, its vectors later (the purge job, which waits for
    the queue and, with it, for Redis): until then its chunks must neither be found nor
    cited, and a hit must never point at a missing document.
    """
    ids = {result.document_id for result in results}
    if not ids:
        return results
    existing = set(await Document.filter(id__in=ids).values_list("id", flat=True))
    return [result for result in results if result.document_id in existing]


async def _timed(step: Awaitable[T]) -> tuple[T, float]:
    """The step's result and how long it took, in milliseconds."""
    started = time.perf_counter()
    result = await step
    return result, _ms_since(started)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _result(hit: VectorHit, score: float | None = None) -> SearchResult:
    return SearchResult(
        chunk_id=hit.id,
        document_id=hit.document_id,
        version=hit.version,
        chunk_index=hit.chunk_index,
        text=hit.text,
        score=hit.score if score is None else score,
        page=hit.page,
        heading_path=list(hit.heading_path),
    )
