"""The search runners: the store against numpy brute force, BM25, the service, GraphQL."""

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

from api.app import create_app
from bench.query.corpus import Corpus
from bench.query.measures import TOP_K, percentiles_ms, recall_at_k, timed, top_k, visible_mask
from bench.query.reports import SizeReport
from bench.query.tenants import Tenant
from domain.bootstrap import Services
from domain.identity.principal import Principal
from domain.retrieval.search import SearchMode
from domain.retrieval.vectorstores.base import Access, VectorStore
from domain.retrieval.vectorstores.lance import LanceVectorStore
from domain.settings import Settings

SEARCH = "query($q: String!) { search(query: $q, first: 10) { text score } }"


@dataclass(frozen=True)
class SearchFigures:
    """What `graphql_search` measures: p50/p95 of embedding, the service, the GraphQL call."""

    embed_ms: tuple[float, float]
    service_ms: tuple[float, float]
    graphql_ms: tuple[float, float]


@dataclass(frozen=True)
class Workload:
    """What one size's searches run on, kept so Weaviate gets exactly what LanceDB got."""

    corpus: Corpus
    tenants: list[Tenant]
    member: Principal
    email: str  # the member's, to log in again: the first token may have expired by then
    access: Access
    queries: list[list[float]]
    exact: list[set[uuid.UUID]]  # the exact top-k ids of each query, for recall
    texts: list[str]


async def store_search(
    store: VectorStore, access: Access, query_lists: Sequence[list[float]]
) -> tuple[list[float], list[list[uuid.UUID]]]:
    """`search_vector`'s latency per query (after a warm-up) and the ids it found."""
    for query in query_lists[:5]:  # warm-up: index pages, caches
        await store.search_vector(query, access, TOP_K)
    found: list[list[uuid.UUID]] = []

    async def search(query: list[float]) -> None:
        found.append([hit.id for hit in await store.search_vector(query, access, TOP_K)])

    return await timed(search, query_lists), found


async def vector_search(
    stores: tuple[LanceVectorStore, LanceVectorStore],
    corpus: Corpus,
    access: Access,
    owner_code: int,
    queries: np.ndarray[Any, np.dtype[np.float32]],
    report: SizeReport,
) -> list[set[uuid.UUID]]:
    """`search_vector` (as shipped, and LanceDB's own query) against the exact numpy top-k.

    Two brute forces: over the visible rows gathered into one matrix beforehand (the
    cheapest exact search there is, the headline ratio), and one that applies the access
    rule per query over all rows, as a store without per-user copies has to. Returns the
    exact top-k ids per query, so other stores' recall is measured against the same truth.
    """
    allowed = visible_mask(corpus, 0, owner_code)
    visible = np.ascontiguousarray(corpus.vectors[allowed])
    visible_ids = [corpus.ids[i] for i in np.flatnonzero(allowed)]
    report.visible_rows = len(visible_ids)
    query_lists = [query.tolist() for query in queries]
    store_seconds, store_found = await store_search(stores[0], access, query_lists)
    lance_seconds, lance_found = await store_search(stores[1], access, query_lists)

    exact: list[list[int]] = []
    brute_seconds = []
    for query in queries:
        started = time.perf_counter()
        ranked = top_k(visible @ query)
        brute_seconds.append(time.perf_counter() - started)
        exact.append(ranked.tolist())
    filtered_seconds = []
    agreement = []
    for query, want in zip(queries, exact, strict=True):
        started = time.perf_counter()
        scores = corpus.vectors @ query
        scores[~visible_mask(corpus, 0, owner_code)] = -np.inf
        ranked = top_k(scores)
        filtered_seconds.append(time.perf_counter() - started)
        agreement.append({corpus.ids[i] for i in ranked} == {visible_ids[i] for i in want})
    if sum(agreement) < 0.99 * len(agreement):  # float rounding may swap a near tie, no more
        raise RuntimeError("the two brute forces disagree: the access rule differs")

    exact_ids = [{visible_ids[i] for i in want} for want in exact]
    report.store_ms = percentiles_ms(store_seconds)
    report.store_recall = recall_at_k(store_found, exact_ids)
    report.lance_ms = percentiles_ms(lance_seconds)
    report.lance_recall = recall_at_k(lance_found, exact_ids)
    report.brute_ms = percentiles_ms(brute_seconds)
    report.filtered_ms = percentiles_ms(filtered_seconds)
    return exact_ids


async def text_search(
    store: VectorStore, access: Access, texts: Sequence[str]
) -> tuple[float, float]:
    """BM25 `search_text` latency (p50, p95), for context next to the vector figures."""
    for text in texts[:5]:
        await store.search_text(text, access, TOP_K)
    seconds = await timed(lambda text: store.search_text(text, access, TOP_K), texts)
    return percentiles_ms(seconds)


async def graphql_search(
    services: Services,
    settings: Settings,
    member: Principal,
    token: str,
    texts: Sequence[str],
) -> SearchFigures:
    """`{ search { text score } }` through the ASGI app, and the same service call bare."""
    for text in texts[:5]:
        await services.search.search(member, text, TOP_K, SearchMode.HYBRID)
    embed_seconds = await timed(lambda text: services.embedder.embed([text]), texts)
    service_seconds = await timed(lambda text: services.search.search(member, text, TOP_K), texts)
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://beacon.bench",
        headers={"authorization": f"Bearer {token}"},
        timeout=60,
    ) as client:

        async def ask(text: str) -> None:
            response = await client.post(
                "/graphql", json={"query": SEARCH, "variables": {"q": text}}
            )
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                raise RuntimeError(f"search failed: {response.status_code} {response.text[:300]}")
            if len(body["data"]["search"]) != TOP_K:
                raise RuntimeError(f"expected {TOP_K} hits: {response.text[:300]}")

        for text in texts[:5]:
            await ask(text)
        graphql_seconds = await timed(ask, texts)
    return SearchFigures(
        percentiles_ms(embed_seconds),
        percentiles_ms(service_seconds),
        percentiles_ms(graphql_seconds),
    )
