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
