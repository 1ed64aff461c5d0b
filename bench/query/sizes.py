"""One size, end to end: a scratch platform of N synthetic chunks, and every measurement on it."""

import secrets
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.query.answers import concurrent_answers, first_deltas
from bench.query.corpus import (
    DIMENSIONS,
    UPSERT_BATCH,
    add_document_rows,
    make_corpus,
    records,
    unit_vectors,
    vocabulary,
    word_weights,
)
from bench.query.measures import QUESTIONS, visible_mask
from bench.query.reports import SizeReport, progress
from bench.query.searches import Workload, graphql_search, text_search, vector_search
from bench.query.tenants import SOCKETS_PER_USER, make_tenants, member_email
from bench.query.weaviate_half import WeaviateTarget, measure_weaviate
from domain.bootstrap import Adapters, build_services
from domain.database import apply_migrations
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.retrieval.vectorstores.base import Access
from domain.retrieval.vectorstores.lance import LanceVectorStore
from domain.settings import Settings

SEED = 20240611


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
