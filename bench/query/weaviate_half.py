"""The Weaviate half: where it is, a probe, and the LanceDB measurements again on it."""

import os
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bench.query.corpus import DIMENSIONS, UPSERT_BATCH, records
from bench.query.measures import percentiles_ms, recall_at_k
from bench.query.reports import WeaviateReport, progress
from bench.query.searches import Workload, graphql_search, store_search, text_search
from bench.query.tenants import PASSWORD
from domain.bootstrap import Adapters, build_services
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.retrieval.vectorstores.base import Access, VectorRecord
from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from domain.retrieval.vectorstores.weaviate_connection import DEFAULT_GRPC_PORT
from domain.settings import Settings
from domain.visibility import Visibility

# Per Weaviate call: well above one 200-object insert on a busy 2-core machine, so a slow
# moment fails nothing; a search taking that long would show in p95 anyway.
WEAVIATE_TIMEOUT = 60.0
WEAVIATE_PROBE_TIMEOUT = 15.0


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
            visibility=Visibility.ORGANIZATION,
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
            await services.close()  # the store was passed in: `scratch_store` closes it
    return report


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
