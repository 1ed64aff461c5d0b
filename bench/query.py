"""Query latency: dense search against numpy brute force, GraphQL search, answers, sockets.

    .venv/bin/python -m bench.query [--chunks 10000 100000] [--queries 200] [--sockets 100]
        [--weaviate | --no-weaviate]

For each size N, in one run and one process (LanceDB, then Weaviate when there is one):

1. Builds a `LanceVectorStore` in a scratch directory holding N synthetic chunks: random
   unit vectors of 384 floats (numpy, fixed seed) and short texts drawn from a synthetic
   vocabulary with a Zipf-like skew (so BM25 has rare and common terms), spread over three
   organisations, a fifth of the documents PRIVATE. `upsert` in batches, then `optimize()`
   (which builds the HNSW index from 50,000 rows on).
2. Times `search_vector` in-process for a non-admin member of the first organisation
   (`Access`: organisation + user), over `--queries` random unit vectors: as shipped (once
   `load_snapshot()` has loaded the exact in-memory copy, which a server's searches load in
   the background once the table has been quiet for a second), and through LanceDB's own
   query on the same table (a second store with the snapshot off). Next to them, in the
   same run, a numpy brute force over exactly the rows that
   member may see (the same organisation, ORGANIZATION or their own PRIVATE rows), same
   top-k. The brute force gets those rows as one contiguous float32 matrix prepared in
   advance, i.e. its best case; the ratio of the shipped p50 to it is printed (target <= 2x
   at 100k), with each path's recall against the exact top-k. A second brute force applies
   the access rule as a mask per query over all N rows, and that ratio is printed too.
   Random directions in 384 dimensions have no neighbourhood structure (every similarity
   is near 0), the worst case for an ANN graph: LanceDB's recall shows its index works, not
   how well it serves real embeddings.
3. Times `{ search(query: ..., first: 10) { text score } }` through the real app
   (`api.app.create_app`, real embedder, scratch SQLite with migrations) over
   `httpx.ASGITransport`, next to the same hybrid search called on the service directly.
   Only `text score` are selected; each synthetic document has a READY row, because search
   keeps only hits whose document exists (one SQL query per search).
4. Extractive answers: time from `services.assistant.answer(...)` to the first AnswerDelta.
5. Opens `--sockets` graphql-transport-ws connections (the `websockets` package) to a real
   uvicorn server on 127.0.0.1 in this process, each subscribing to `answer`, and counts
   those ending with AnswerDone and no error. A user may hold only
   BEACON_MAX_WEBSOCKETS_PER_USER (default 10) sockets, and the benchmark keeps that
   default: the sockets are spread over enough member users (10 sockets each).
6. Weaviate, once the LanceDB half has closed its services: a `WeaviateVectorStore` on a
   throwaway collection `BeaconBench<hex>` (dropped at the end, whatever happens) gets the
   very same records (`upsert` in batches of 10,000, which the adapter sends 200 objects
   per insert), then the same member's `search_vector` over the same query vectors, with
   recall against the same exact top-k, and `search_text` over the same texts; then the
   hybrid service and `{ search }` through the app built on the same scratch SQLite with
   Weaviate as its vector store. The summary prints these rows under LanceDB's with the
   p50 ratios Weaviate / LanceDB, and the collection's flatSearchCutoff: an access filter
   allowing fewer objects than that is scanned exhaustively (exact), not searched in HNSW.
   Weaviate runs on the same machine, so its server competes for the same cores.

The scratch platform's settings pin SQLite, in-process limits, local files and LanceDB, so
a shell exporting a deployment's BEACON_* variables (`scripts/services env`) changes nothing
but where Weaviate is. Weaviate is read from BEACON_WEAVIATE_URL, _API_KEY, _GRPC_HOST,
_GRPC_PORT and _GRPC_SECURE, and is on by default when BEACON_WEAVIATE_URL is set. Before
the first size a probe writes and finds one object in a scratch collection: if that fails,
or with `--no-weaviate` or no URL, Weaviate is skipped and the summary says why; with
`--weaviate` a missing URL or a failed probe is an error.

Everything is loopback and bounded. Exits 0 after printing the summary (FAIL lines
included) unless `--strict` is given: then a ratio above target at 100k or more chunks, or
any subscription not ending in AnswerDone, exits 1. Errors in the machinery itself raise.
"""

import argparse
import asyncio
import json
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import numpy as np
import uvicorn
import websockets

from api.app import create_app
from bench.graphql_overhead import HOST, free_port
from domain.assistant.services import AnswerDelta
from domain.bootstrap import Adapters, Services, build_services
from domain.database import apply_migrations
from domain.documents.kinds import DocumentKind
from domain.documents.models import Document, DocumentStatus, Visibility
from domain.identity.models import Role
from domain.identity.principal import Principal
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.retrieval.search import SearchMode
from domain.retrieval.vectorstores.base import (
    ORGANIZATION,
    Access,
    VectorRecord,
    VectorStore,
)
from domain.retrieval.vectorstores.lance import LanceVectorStore
from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from domain.retrieval.vectorstores.weaviate_connection import DEFAULT_GRPC_PORT
from domain.settings import Settings

T = TypeVar("T")
SEED = 20240611
DIMENSIONS = SentenceTransformerEmbedder.dimensions
TOP_K = 10
ORGANIZATIONS = 3
CHUNKS_PER_DOCUMENT = 5
PRIVATE_SHARE = 0.2
UPSERT_BATCH = 10_000
VOCABULARY = 3_000
TARGET_RATIO = 2.0
QUESTIONS = 20
SOCKETS_PER_USER = 10  # BEACON_MAX_WEBSOCKETS_PER_USER's default, kept as shipped
PASSWORD = "benchmark password 1234"
SEARCH = "query($q: String!) { search(query: $q, first: 10) { text score } }"
ANSWER = (
    "subscription($q: String!) { answer(input: {question: $q}) { __typename "
    "... on AnswerError { code message } } }"
)
SOCKET_TIMEOUT = 120.0
PROTOCOL = "graphql-transport-ws"
# Per Weaviate call: well above one 200-object insert on a busy 2-core machine, so a slow
# moment fails nothing; a search taking that long would show in p95 anyway.
WEAVIATE_TIMEOUT = 60.0
WEAVIATE_PROBE_TIMEOUT = 15.0


# --- synthetic data --------------------------------------------------------------------


def vocabulary(rng: np.random.Generator, size: int = VOCABULARY) -> list[str]:
    """Pronounceable made-up words (distinct), so tokenisers treat them as ordinary terms."""
    onsets = [*"bcdfghklmnprstvz", "br", "ch", "st", "tr", "pl", "gr"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
    words: set[str] = set()
    while len(words) < size:
        syllables = int(rng.integers(2, 4))
        words.add(
            "".join(str(rng.choice(onsets)) + str(rng.choice(vowels)) for _ in range(syllables))
        )
    return sorted(words)


def word_weights(size: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Zipf-like frequencies: a few very common words, a long tail of rare ones."""
    weights = 1.0 / np.arange(1, size + 1)
    result: np.ndarray[Any, np.dtype[np.float64]] = weights / weights.sum()
    return result


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """`count` random directions, normalised to length 1 (cosine = dot product)."""
    vectors = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


@dataclass
class Tenant:
    """One organisation: its ADMIN, and member users (non-admins) who search and ask."""

    admin: Principal
    members: list[Principal]
    tokens: dict[uuid.UUID, str] = field(default_factory=dict)  # member id -> access token


@dataclass
class Corpus:
    """The synthetic chunks as numpy columns (for the brute force) and as records."""

    vectors: np.ndarray[Any, np.dtype[np.float32]]
    documents: list[uuid.UUID]
    organizations: np.ndarray[Any, np.dtype[np.int64]]
    owners: list[uuid.UUID]
    owner_codes: np.ndarray[Any, np.dtype[np.int64]]  # owners as small ints, for numpy masks
    private: np.ndarray[Any, np.dtype[np.bool_]]
    ids: list[uuid.UUID]
    texts: list[str]


def make_corpus(
    rng: np.random.Generator, chunks: int, tenants: Sequence[Tenant], words: Sequence[str]
) -> Corpus:
    """Documents of a few chunks each, round-robin over the organisations."""
    weights = word_weights(len(words))
    vectors = unit_vectors(rng, chunks)
    documents = -(-chunks // CHUNKS_PER_DOCUMENT)
    document_ids = [uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(documents)]
    organizations = np.zeros(chunks, dtype=np.int64)
    private = np.zeros(chunks, dtype=np.bool_)
    owners: list[uuid.UUID] = []
    chunk_documents: list[uuid.UUID] = []
    ids: list[uuid.UUID] = []
    texts: list[str] = []
    # Visibility and owner belong to documents: drawn once per document.
    private_documents = rng.random(documents) < PRIVATE_SHARE
    owner_picks = rng.integers(0, 2**31, size=documents)
    lengths = rng.integers(12, 40, size=chunks)
    drawn = rng.choice(len(words), size=int(lengths.sum()), p=weights)
    offset = 0
    for index in range(chunks):
        document = index // CHUNKS_PER_DOCUMENT
        tenant_index = document % len(tenants)
        tenant = tenants[tenant_index]
        people = [tenant.admin, *tenant.members]
        organizations[index] = tenant_index
        private[index] = private_documents[document]
        owners.append(people[int(owner_picks[document]) % len(people)].user_id)
        chunk_documents.append(document_ids[document])
        # Derived like real chunk ids (uuid5 of document, version and index).
        ids.append(uuid.uuid5(document_ids[document], f"1:{index % CHUNKS_PER_DOCUMENT}"))
        length = int(lengths[index])
        texts.append(" ".join(words[i] for i in drawn[offset : offset + length]) + ".")
        offset += length
    codes: dict[uuid.UUID, int] = {}
    owner_codes = np.array([codes.setdefault(owner, len(codes)) for owner in owners])
    return Corpus(vectors, chunk_documents, organizations, owners, owner_codes, private, ids, texts)


def records(corpus: Corpus, tenants: Sequence[Tenant], start: int, stop: int) -> list[VectorRecord]:
    """`VectorRecord`s for rows [start, stop)."""
    result = []
    for index in range(start, stop):
        result.append(
            VectorRecord(
                id=corpus.ids[index],
                organization_id=tenants[int(corpus.organizations[index])].admin.organization_id,
                document_id=corpus.documents[index],
                version=1,
                chunk_index=index % CHUNKS_PER_DOCUMENT,
                visibility=Visibility.PRIVATE if corpus.private[index] else Visibility.ORGANIZATION,
                owner_id=corpus.owners[index],
                text=corpus.texts[index],
                vector=corpus.vectors[index].tolist(),
            )
        )
    return result


# --- measurements ------------------------------------------------------------------------


def percentiles_ms(seconds: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds (linear interpolation, as numpy)."""
    values = np.array(seconds) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


async def timed(call: Callable[[T], Awaitable[object]], inputs: Sequence[T]) -> list[float]:
    """Each call's own duration, one after another (latency, not throughput)."""
    durations = []
    for value in inputs:
        started = time.perf_counter()
        await call(value)
        durations.append(time.perf_counter() - started)
    return durations


@dataclass
class WeaviateReport:
    """The Weaviate figures at one size: same records, member, query vectors and texts."""

    collection: str
    insert_seconds: float = 0.0
    flat_search_cutoff: int | None = None  # allow-lists smaller than this are scanned, exact
    filter_strategy: str | None = None
    store_ms: tuple[float, float] = (0.0, 0.0)
    store_recall: float = 0.0
    text_ms: tuple[float, float] = (0.0, 0.0)
    service_ms: tuple[float, float] = (0.0, 0.0)
    graphql_ms: tuple[float, float] = (0.0, 0.0)


@dataclass
class SizeReport:
    """Every figure measured at one size."""

    chunks: int
    build_seconds: float = 0.0
    optimize_seconds: float = 0.0
    ann_index: bool = False
    visible_rows: int = 0
    exact: bool = False  # the store answered dense searches from its in-memory snapshot
    store_ms: tuple[float, float] = (0.0, 0.0)
    store_recall: float = 0.0
    lance_ms: tuple[float, float] = (0.0, 0.0)  # LanceDB's own query (snapshot disabled)
    lance_recall: float = 0.0
    brute_ms: tuple[float, float] = (0.0, 0.0)
    filtered_ms: tuple[float, float] = (0.0, 0.0)
    embed_ms: tuple[float, float] = (0.0, 0.0)
    text_ms: tuple[float, float] = (0.0, 0.0)
    service_ms: tuple[float, float] = (0.0, 0.0)
    graphql_ms: tuple[float, float] = (0.0, 0.0)
    first_delta_ms: tuple[float, float] = (0.0, 0.0)
    sockets: int = 0
    sockets_done: int = 0
    sockets_seconds: float = 0.0
    socket_errors: list[str] = field(default_factory=list)
    weaviate: WeaviateReport | None = None

    @property
    def ratio(self) -> float:
        """In-process `search_vector` p50 over brute-force p50."""
        return self.store_ms[0] / self.brute_ms[0] if self.brute_ms[0] else float("inf")

    @property
    def filtered_ratio(self) -> float:
        """In-process `search_vector` p50 over the filter-per-query brute force's p50."""
        return self.store_ms[0] / self.filtered_ms[0] if self.filtered_ms[0] else float("inf")


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


def top_k(scores: np.ndarray[Any, np.dtype[np.float32]]) -> np.ndarray[Any, Any]:
    """Indexes of the `TOP_K` highest scores, best first."""
    top = np.argpartition(-scores, TOP_K)[:TOP_K]
    ranked: np.ndarray[Any, Any] = top[np.argsort(-scores[top])]
    return ranked


def visible_mask(corpus: Corpus, organization: int, owner_code: int) -> np.ndarray[Any, Any]:
    """The access rule in numpy: the organisation's ORGANIZATION rows and the owner's own."""
    mask: np.ndarray[Any, Any] = (corpus.organizations == organization) & (
        ~corpus.private | (corpus.owner_codes == owner_code)
    )
    return mask


def recall_at_k(found: Sequence[list[uuid.UUID]], exact: Sequence[set[uuid.UUID]]) -> float:
    """Mean share of each query's exact top-k that the store returned."""
    return statistics.fmean(
        len(set(got) & want) / TOP_K for got, want in zip(found, exact, strict=True)
    )


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


async def first_deltas(
    services: Services, member: Principal, questions: Sequence[str], report: SizeReport
) -> None:
    """Time from calling `answer` to its first AnswerDelta; each answer is then finished."""
    seconds = []
    for question in questions:
        started = time.perf_counter()
        first: float | None = None
        stream = services.assistant.answer(member, question)
        try:
            async for event in stream:
                if first is None and isinstance(event, AnswerDelta):
                    first = time.perf_counter() - started
        finally:
            await stream.aclose()
        if first is None:
            raise RuntimeError(f"no AnswerDelta for {question!r}")
        seconds.append(first)
    report.first_delta_ms = percentiles_ms(seconds)


@asynccontextmanager
async def uvicorn_server(settings: Settings, services: Services) -> AsyncIterator[int]:
    """The real app on 127.0.0.1 in this process (as bench.graphql_overhead); yields the port."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, services),
        host=HOST,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):  # up to 10 s
            if server.started:
                break
            if serving.done():
                serving.result()
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError("uvicorn did not start")
        yield port
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(serving, timeout=10)
        except TimeoutError:
            serving.cancel()


async def one_subscription(url: str, token: str, question: str) -> str | None:
    """Subscribe to one answer; None when it ended with AnswerDone and no error, else why."""
    async with websockets.connect(url, subprotocols=[PROTOCOL], open_timeout=30) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            return f"no ack: {ack}"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": ANSWER, "variables": {"q": question}},
                }
            )
        )
        done = False
        while True:
            message = json.loads(await ws.recv())
            kind = message.get("type")
            if kind == "complete":
                return None if done else "completed without AnswerDone"
            if kind != "next" or message["payload"].get("errors"):
                return f"{kind}: {json.dumps(message.get('payload'))[:300]}"
            event = message["payload"]["data"]["answer"]
            if event["__typename"] == "AnswerError":
                return f"AnswerError {event['code']}: {event['message']}"
            done = done or event["__typename"] == "AnswerDone"


async def concurrent_answers(
    settings: Settings,
    services: Services,
    tenants: Sequence[Tenant],
    questions: Sequence[str],
    count: int,
    report: SizeReport,
) -> None:
    """`count` sockets at once, each streaming one answer; a member holds at most 10."""
    tokens = [token for tenant in tenants for token in tenant.tokens.values()]
    if len(tokens) * SOCKETS_PER_USER < count:
        raise RuntimeError(f"{len(tokens)} members cannot hold {count} sockets")
    async with uvicorn_server(settings, services) as port:
        url = f"ws://{HOST}:{port}/graphql"

        async def run(index: int) -> str | None:
            token = tokens[index // SOCKETS_PER_USER]
            question = questions[index % len(questions)]
            try:
                return await asyncio.wait_for(
                    one_subscription(url, token, question), timeout=SOCKET_TIMEOUT
                )
            except (TimeoutError, OSError, websockets.WebSocketException) as error:
                return f"{type(error).__name__}: {error}"

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(run(i) for i in range(count)))
        report.sockets_seconds = time.perf_counter() - started
    report.sockets = count
    report.sockets_done = sum(1 for outcome in outcomes if outcome is None)
    report.socket_errors = sorted({outcome for outcome in outcomes if outcome is not None})


# --- Weaviate ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WeaviateTarget:
    """Where the Weaviate to compare with is (BEACON_WEAVIATE_* as a deployment sets them)."""

    url: str
    api_key: str | None
    grpc_port: int
    grpc_host: str | None = None  # None: the URL's host
    grpc_secure: bool | None = None  # None: the URL's scheme decides

    @classmethod
    def from_environment(cls) -> "WeaviateTarget | None":
        """The target the environment names, or None without BEACON_WEAVIATE_URL."""
        url = os.environ.get("BEACON_WEAVIATE_URL")
        if not url:
            return None
        port = os.environ.get("BEACON_WEAVIATE_GRPC_PORT")
        secure = os.environ.get("BEACON_WEAVIATE_GRPC_SECURE", "").strip().lower()
        if secure not in ("", "true", "1", "false", "0"):
            raise ValueError(f"BEACON_WEAVIATE_GRPC_SECURE={secure!r}: expected true or false")
        return cls(
            url.rstrip("/"),
            os.environ.get("BEACON_WEAVIATE_API_KEY") or None,
            int(port) if port else DEFAULT_GRPC_PORT,
            os.environ.get("BEACON_WEAVIATE_GRPC_HOST") or None,
            {"true": True, "1": True, "false": False, "0": False}.get(secure),
        )

    def store(self, collection: str, timeout_seconds: float) -> WeaviateVectorStore:
        """The shipped adapter on a collection of its own (keywords: the signature grows)."""
        return WeaviateVectorStore(
            url=self.url,
            api_key=self.api_key,
            dimensions=DIMENSIONS,
            collection=collection,
            timeout_seconds=timeout_seconds,
            grpc_host=self.grpc_host,
            grpc_port=self.grpc_port,
            grpc_secure=self.grpc_secure,
        )

    async def rest(self, path: str) -> dict[str, Any]:
        """GET a REST path as JSON: for the server version and the index settings only."""
        headers = {"authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        async with httpx.AsyncClient(timeout=WEAVIATE_PROBE_TIMEOUT, headers=headers) as client:
            response = await client.get(f"{self.url}{path}")
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            return body


def scratch_collection() -> str:
    """A throwaway collection name (a GraphQL class name: capital first, then alphanumerics)."""
    return f"BeaconBench{secrets.token_hex(6)}"


@dataclass
class Scratch:
    """A store on a throwaway collection; `created` once `start()` has made the collection."""

    store: WeaviateVectorStore
    collection: str
    created: bool = False


@asynccontextmanager
async def scratch_store(target: WeaviateTarget, timeout_seconds: float) -> AsyncIterator[Scratch]:
    """A store on a scratch collection, dropped (once created) and closed on the way out.

    When the body is already failing, a failed drop is only reported, with the name to delete
    by hand: raised from `finally` it would replace the error that explains it (and httpx's
    `raise ... from None` would hide that one from the traceback, as seen when a test
    restarted the shared Weaviate mid-run).
    """
    collection = scratch_collection()
    scratch = Scratch(target.store(collection, timeout_seconds), collection)
    failing = True
    try:
        yield scratch
        failing = False
    finally:
        try:
            if scratch.created:
                await scratch.store.drop()
        except Exception as error:
            if not failing:
                raise
            progress(
                f"could not drop Weaviate collection {collection} "
                f"({type(error).__name__}: {error}): delete it by hand"
            )
        finally:
            await scratch.store.close()


async def probe_weaviate(target: WeaviateTarget) -> str:
    """Write and find one object in a scratch collection; the server's version.

    Before any size is built, so an unusable Weaviate is known in seconds, not after the
    LanceDB half: a write and a search, the calls the measurements make.
    """
    async with scratch_store(target, WEAVIATE_PROBE_TIMEOUT) as scratch:
        store = scratch.store
        await store.start()
        scratch.created = True
        organization, user = uuid.uuid4(), uuid.uuid4()
        vector = [1.0] + [0.0] * (DIMENSIONS - 1)
        record = VectorRecord(
            id=uuid.uuid4(),
            organization_id=organization,
            document_id=uuid.uuid4(),
            version=1,
            chunk_index=0,
            visibility=ORGANIZATION,
            owner_id=user,
            text="probe",
            vector=vector,
        )
        await store.upsert([record])
        hits = await store.search_vector(vector, Access(organization, user, is_admin=False), 1)
        if [hit.id for hit in hits] != [record.id]:
            raise RuntimeError(f"wrote one object but found {len(hits)}")
    meta = await target.rest("/v1/meta")
    return str(meta.get("version", "?"))


async def index_settings(target: WeaviateTarget, collection: str) -> tuple[int | None, str | None]:
    """The vector index's flatSearchCutoff and filterStrategy, as the server reports them.

    They decide what a filtered `near_vector` does: an allow-list smaller than the cutoff is
    scanned exhaustively (exact), a larger one goes through the HNSW graph.
    """
    schema = await target.rest(f"/v1/schema/{collection}")
    configs: dict[str, dict[str, Any]] = schema.get("vectorConfig") or {}
    index: dict[str, Any] = next(iter(configs.values()), {}).get("vectorIndexConfig") or {}
    cutoff = index.get("flatSearchCutoff")
    strategy = index.get("filterStrategy")
    return (
        int(cutoff) if cutoff is not None else None,
        str(strategy) if strategy is not None else None,
    )


async def measure_weaviate(
    target: WeaviateTarget,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
    work: Workload,
) -> WeaviateReport:
    """The LanceDB measurements again on Weaviate: the same records, member and queries.

    The app's SQL database (users, tokens) is the scratch one the LanceDB half made; only
    the vector store differs. The collection is dropped whatever happens.
    """
    chunks = len(work.corpus.ids)
    async with scratch_store(target, WEAVIATE_TIMEOUT) as scratch:
        store = scratch.store
        report = WeaviateReport(scratch.collection)
        services = build_services(settings, Adapters(vectors=store, embedder=embedder))
        try:
            await services.start()  # starting the store creates the collection
            scratch.created = True
            report.flat_search_cutoff, report.filter_strategy = await index_settings(
                target, scratch.collection
            )
            started = time.perf_counter()
            for start in range(0, chunks, UPSERT_BATCH):
                stop = min(chunks, start + UPSERT_BATCH)
                await store.upsert(records(work.corpus, work.tenants, start, stop))
                elapsed = time.perf_counter() - started
                progress(f"{chunks}: Weaviate {stop}/{chunks} objects in {elapsed:.0f} s")
            report.insert_seconds = time.perf_counter() - started

            seconds, found = await store_search(store, work.access, work.queries)
            report.store_ms = percentiles_ms(seconds)
            report.store_recall = recall_at_k(found, work.exact)
            report.text_ms = await text_search(store, work.access, work.texts)
            progress(f"{chunks}: Weaviate vector and text search measured")
            # A fresh token: the LanceDB half can outlast an access token's 15 minutes.
            token = (await services.identity.login(work.email, PASSWORD, None)).access_token
            figures = await graphql_search(services, settings, work.member, token, work.texts)
            report.service_ms, report.graphql_ms = figures.service_ms, figures.graphql_ms
            progress(f"{chunks}: Weaviate GraphQL search measured")
        finally:
            await services.close()  # the store is borrowed: `scratch_store` closes it
    return report


# --- one size, end to end ---------------------------------------------------------------


def member_email(tenant: int, member: int) -> str:
    """The email of the organisation's `member`th member user."""
    return f"member{tenant}-{member}@example.com"


async def add_document_rows(corpus: Corpus, tenants: Sequence[Tenant]) -> None:
    """A READY row per synthetic document: search keeps only hits whose document exists."""
    first_chunk: dict[uuid.UUID, int] = {}
    for index, document_id in enumerate(corpus.documents):
        first_chunk.setdefault(document_id, index)
    rows = [
        Document(
            id=document_id,
            organization_id=tenants[int(corpus.organizations[index])].admin.organization_id,
            uploaded_by_id=corpus.owners[index],
            title=f"Synthetic {number}",
            filename=f"synthetic-{number}.md",
            kind=DocumentKind.MARKDOWN,
            size_bytes=1,
            sha256=document_id.hex * 2,
            dedupe_scope="organization",
            visibility=Visibility.PRIVATE if corpus.private[index] else Visibility.ORGANIZATION,
            status=DocumentStatus.READY,
        )
        for number, (document_id, index) in enumerate(first_chunk.items())
    ]
    await Document.bulk_create(rows, batch_size=1000)


async def make_tenants(services: Services, members_needed: int) -> list[Tenant]:
    """Three organisations with an ADMIN each; members (USER role) spread over them."""
    tenants: list[Tenant] = []
    per_tenant = -(-members_needed // ORGANIZATIONS)
    for number in range(ORGANIZATIONS):
        user = await services.identity.create_organization(
            f"Bench org {number}", f"admin{number}@example.com", PASSWORD
        )
        admin = Principal.of(user)
        tenant = Tenant(admin, [])
        for member_number in range(per_tenant):
            email = member_email(number, member_number)
            member = await services.identity.create_user(admin, email, PASSWORD, Role.USER)
            tenant.members.append(Principal.of(member))
            session = await services.identity.login(email, PASSWORD, None)
            tenant.tokens[member.id] = session.access_token
        tenants.append(tenant)
    return tenants


async def measure_size(
    chunks: int,
    query_count: int,
    sockets: int,
    embedder: SentenceTransformerEmbedder,
    weaviate: WeaviateTarget | None,
) -> SizeReport:
    """Build a scratch platform of `chunks` synthetic chunks and take every measurement."""
    report = SizeReport(chunks)
    rng = np.random.default_rng(SEED)
    with tempfile.TemporaryDirectory(prefix="beacon-bench-query-") as scratch:
        root = Path(scratch)
        # Every store pinned to the scratch directory: the shell running the benchmark may
        # export a deployment's BEACON_DATABASE_URL, BEACON_REDIS_URL etc. (`scripts/services
        # env` does), and the benchmark must neither write to those nor be slowed by them.
        settings = Settings(
            data_dir=root / "data",
            secret_key=secrets.token_urlsafe(48),
            bcrypt_rounds=4,
            database_url=None,
            redis_url=None,
            vector_store="lance",
            file_store="local",
            llm_base_url=None,
        )
        await apply_migrations(settings.effective_database_url)
        store = LanceVectorStore(root / "vectors", DIMENSIONS)
        services = build_services(settings, Adapters(vectors=store, embedder=embedder))
        await services.start()
        work: Workload | None = None
        try:
            members = max(3, -(-sockets // SOCKETS_PER_USER))
            tenants = await make_tenants(services, members)
            words = vocabulary(rng)
            corpus = make_corpus(rng, chunks, tenants, words)
            await add_document_rows(corpus, tenants)

            started = time.perf_counter()
            for start in range(0, chunks, UPSERT_BATCH):
                await store.upsert(
                    records(corpus, tenants, start, min(chunks, start + UPSERT_BATCH))
                )
            report.build_seconds = time.perf_counter() - started
            started = time.perf_counter()
            await store.optimize()
            report.optimize_seconds = time.perf_counter() - started
            report.ann_index = await store.has_vector_index()
            report.exact = await store.load_snapshot()
            progress(
                f"{chunks}: stored in {report.build_seconds:.1f} s, "
                f"optimized in {report.optimize_seconds:.1f} s"
            )

            member = tenants[0].members[0]
            access = Access(member.organization_id, member.user_id, is_admin=False)
            owner_code = int(corpus.owner_codes[corpus.owners.index(member.user_id)])
            queries = unit_vectors(rng, query_count)
            # The same table through LanceDB's own query, for comparison.
            lance_only = LanceVectorStore(root / "vectors", DIMENSIONS, exact_search_max_rows=0)
            await lance_only.start()
            try:
                exact = await vector_search(
                    (store, lance_only), corpus, access, owner_code, queries, report
                )
            finally:
                await lance_only.close()
            progress(f"{chunks}: vector search measured")

            weights = word_weights(len(words))
            texts = [
                " ".join(words[i] for i in rng.choice(len(words), size=4, p=weights))
                for _ in range(query_count)
            ]
            report.text_ms = await text_search(store, access, texts)
            figures = await graphql_search(
                services, settings, member, tenants[0].tokens[member.user_id], texts
            )
            report.embed_ms = figures.embed_ms
            report.service_ms = figures.service_ms
            report.graphql_ms = figures.graphql_ms
            progress(f"{chunks}: GraphQL search measured")
            work = Workload(
                corpus,
                tenants,
                member,
                member_email(0, 0),  # `member` is tenants[0].members[0]
                access,
                [q.tolist() for q in queries],
                exact,
                texts,
            )

            # Questions made of words of visible chunks, so the extractive answer quotes.
            visible_rows = np.flatnonzero(visible_mask(corpus, 0, owner_code))
            questions = [
                "what about " + " ".join(corpus.texts[int(i)].rstrip(".").split()[:6])
                for i in rng.choice(visible_rows, size=QUESTIONS, replace=False)
            ]
            await first_deltas(services, member, questions, report)
            progress(f"{chunks}: first deltas measured")
            if sockets:
                await concurrent_answers(settings, services, tenants, questions, sockets, report)
                progress(f"{chunks}: {sockets} concurrent answers measured")
        finally:
            await services.close()
        # After the LanceDB half has closed its services: one app on the SQL database at a
        # time, and LanceDB's figures are taken without Weaviate busy on the same cores.
        if weaviate is not None and work is not None:
            report.weaviate = await measure_weaviate(weaviate, settings, embedder, work)
    return report


def progress(line: str) -> None:
    """Progress goes to stderr; the summary to stdout."""
    print(line, file=sys.stderr, flush=True)


def _row(name: str, figures: tuple[float, float], note: str = "") -> str:
    return f"  {name:<44}{figures[0]:9.2f}{figures[1]:9.2f}  {note}".rstrip()


def _times(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "n/a"


def weaviate_lines(r: SizeReport, w: WeaviateReport) -> list[str]:
    """Weaviate's rows under LanceDB's, and its p50 over LanceDB's for the same calls."""
    if w.flat_search_cutoff is None:
        index = "index settings unknown"
    elif r.visible_rows < w.flat_search_cutoff:
        index = (
            f"the access filter allows {r.visible_rows} < flatSearchCutoff "
            f"{w.flat_search_cutoff}: an exhaustive scan of them, not HNSW"
        )
    else:
        index = (
            f"the access filter allows {r.visible_rows} >= flatSearchCutoff "
            f"{w.flat_search_cutoff}: filtered HNSW ({w.filter_strategy or '?'})"
        )
    rate = r.chunks / w.insert_seconds if w.insert_seconds else 0.0
    return [
        f"  Weaviate, collection {w.collection} (dropped): upsert {w.insert_seconds:.1f} s "
        f"({rate:.0f} objects/s); {index}",
        _row(
            "Weaviate search_vector, in-process",
            w.store_ms,
            f"recall@{TOP_K} vs exact {w.store_recall:.3f}",
        ),
        _row("Weaviate search_text (BM25), in-process", w.text_ms),
        _row("Weaviate SearchService.search, hybrid", w.service_ms, "(embeds the query)"),
        _row("Weaviate GraphQL { search { text score } }", w.graphql_ms, "(ASGI)"),
        f"  ratio Weaviate / LanceDB p50: search_vector {_times(w.store_ms[0], r.store_ms[0])} "
        f"(vs LanceDB query {_times(w.store_ms[0], r.lance_ms[0])}), "
        f"search_text {_times(w.text_ms[0], r.text_ms[0])}, "
        f"hybrid service {_times(w.service_ms[0], r.service_ms[0])}, "
        f"GraphQL {_times(w.graphql_ms[0], r.graphql_ms[0])}",
    ]


def summary(reports: Sequence[SizeReport], query_count: int, weaviate: str) -> tuple[str, bool]:
    """The printed summary, and whether every target was met; `weaviate` says which, or why not."""
    lines = [
        f"query latency: {query_count} queries per figure (answers: {QUESTIONS}), top-{TOP_K}",
        f"Weaviate: {weaviate}",
    ]
    all_met = True
    for r in reports:
        index = "HNSW-SQ index" if r.ann_index else "flat scan (below the ANN threshold)"
        at_target_size = r.chunks >= 100_000
        verdict = ("PASS" if r.ratio <= TARGET_RATIO else "FAIL") if at_target_size else "info"
        if at_target_size:
            all_met = all_met and r.ratio <= TARGET_RATIO
        lines += [
            "",
            f"== {r.chunks} chunks in {ORGANIZATIONS} organisations; {r.visible_rows} visible to "
            f"the searching member; {index}",
            f"  built: upsert {r.build_seconds:.1f} s, optimize {r.optimize_seconds:.1f} s",
            f"  {'':<44}{'p50 ms':>9}{'p95 ms':>9}",
            _row(
                "search_vector, in-process, as shipped",
                r.store_ms,
                f"recall@{TOP_K} vs exact {r.store_recall:.3f}"
                + (" (in-memory exact snapshot)" if r.exact else " (LanceDB query)"),
            ),
            _row(
                "search_vector, LanceDB query (snapshot off)",
                r.lance_ms,
                f"recall@{TOP_K} vs exact {r.lance_recall:.3f}"
                + (" (random vectors: ANN's worst case)" if r.ann_index else ""),
            ),
            _row("numpy brute force, visible rows pre-gathered", r.brute_ms),
            _row("numpy brute force, access mask per query", r.filtered_ms),
            _row("LanceDB search_text (BM25), in-process", r.text_ms),
            _row("embed one query (all-MiniLM-L6-v2)", r.embed_ms),
            _row("SearchService.search, hybrid", r.service_ms, "(embeds the query)"),
            _row("GraphQL { search { text score } }, ASGI", r.graphql_ms),
            _row("extractive answer: time to first delta", r.first_delta_ms),
            f"  ratio search_vector p50 / brute force p50 (pre-gathered) = {r.ratio:.1f}x "
            f"(target <= {TARGET_RATIO:g}x at 100k) {verdict}",
            f"  ratio search_vector p50 / brute force p50 (mask per query) = "
            f"{r.filtered_ratio:.1f}x",
        ]
        if r.sockets:
            ok = r.sockets_done == r.sockets
            all_met = all_met and ok
            lines.append(
                f"  {r.sockets} concurrent `answer` subscriptions over graphql-transport-ws: "
                f"{r.sockets_done} ended with AnswerDone and no error, "
                f"in {r.sockets_seconds:.1f} s {'PASS' if ok else 'FAIL'}"
            )
            lines.append(
                f"    ({SOCKETS_PER_USER} sockets per member user: "
                "BEACON_MAX_WEBSOCKETS_PER_USER kept at its default)"
            )
            lines += [f"    error: {error}" for error in r.socket_errors[:5]]
        if r.weaviate is not None:
            lines += weaviate_lines(r, r.weaviate)
    return "\n".join(lines), all_met


async def choose_weaviate(wanted: bool | None) -> tuple[WeaviateTarget | None, str]:
    """The Weaviate to measure (None: skipped), and a line saying which, or why not.

    Asked for with `--weaviate`, a Weaviate that does not work is an error; on by default
    (BEACON_WEAVIATE_URL set), it is skipped with the reason, and LanceDB is measured alone.
    """
    if wanted is False:
        return None, "skipped (--no-weaviate)"
    target = WeaviateTarget.from_environment()
    if target is None:
        if wanted:
            raise RuntimeError("--weaviate needs BEACON_WEAVIATE_URL")
        return None, "skipped (BEACON_WEAVIATE_URL is not set; --weaviate to require it)"
    try:
        version = await probe_weaviate(target)
    except Exception as error:
        if wanted:
            raise
        return None, f"skipped ({target.url} failed a probe: {type(error).__name__}: {error})"
    grpc = f"{target.grpc_host or 'same host'}:{target.grpc_port}"
    return target, f"{version} at {target.url} (gRPC {grpc}), same run"


async def run(args: argparse.Namespace) -> int:
    """Measure each size in turn with one embedder, then print the summary."""
    weaviate, weaviate_line = await choose_weaviate(args.weaviate)
    progress(f"Weaviate: {weaviate_line}")
    embedder = SentenceTransformerEmbedder()
    await embedder.start()
    try:
        reports = []
        for chunks in args.chunks:
            reports.append(
                await measure_size(chunks, args.queries, args.sockets, embedder, weaviate)
            )
    finally:
        await embedder.close()
    text, all_met = summary(reports, args.queries, weaviate_line)
    print(text)
    return 1 if args.strict and not all_met else 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--chunks", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200, help="queries per latency figure")
    parser.add_argument("--sockets", type=int, default=100, help="concurrent answer streams")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--weaviate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also measure Weaviate (BEACON_WEAVIATE_URL, _API_KEY, _GRPC_PORT); "
        "default: on when BEACON_WEAVIATE_URL is set, skipped if it fails a probe",
    )
    args = parser.parse_args(argv)
    if args.weaviate and not os.environ.get("BEACON_WEAVIATE_URL"):
        parser.error("--weaviate needs BEACON_WEAVIATE_URL (and BEACON_WEAVIATE_API_KEY, ...)")
    if any(not 100 <= n <= 1_000_000 for n in args.chunks):
        parser.error("--chunks must be within [100, 1000000]")
    if not 10 <= args.queries <= 10_000:
        parser.error("--queries must be within [10, 10000]")
    if not 0 <= args.sockets <= 500:
        parser.error("--sockets must be within [0, 500]")
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
