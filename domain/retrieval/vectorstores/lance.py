"""The embedded adapter: one LanceDB table on local disk, driven through LanceDB's async API.

Design notes (why, not what):

- Access rules are a SQL prefilter (`where(...)`, LanceDB's default prefiltering): rows the
  caller may not see are removed before the nearest-neighbour / BM25 ranking, so `limit`
  allowed hits come back even when forbidden rows are the best matches. The predicates are
  in `lance_sql.py`; the table's schema, indexes and rows in `lance_table.py`.
- The ANN vector index is only built by `optimize()` once the table holds
  `VECTOR_INDEX_MIN_ROWS` rows: below that an exhaustive scan is exact and still fast.
- Writes are serialised per store, and the writes that wait are merged into one commit
  (`lance_commit.py`).
- Reads check for newer table versions on every query (`read_consistency_interval=0`):
  the API server and the worker each build their own store on the same directory, and the
  server must see chunks the worker has just written.
- Dense search is answered from an exact in-memory snapshot while the table is small and the
  snapshot current (`lance_snapshot.py`); otherwise LanceDB answers.
"""

import asyncio
import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import lancedb
import pyarrow as pa
from lancedb.index import HnswSq

from domain.retrieval.vectorstores.base import (
    Access,
    VectorBatch,
    VectorHit,
    VectorRecord,
    checked_vector,
)
from domain.retrieval.vectorstores.lance_commit import GroupCommit, Row
from domain.retrieval.vectorstores.lance_snapshot import EXACT_SEARCH_MAX_ROWS, ExactSnapshots
from domain.retrieval.vectorstores.lance_sql import (
    access_predicate,
    document_predicate,
    organization_predicate,
)
from domain.retrieval.vectorstores.lance_table import (
    HIT_COLUMNS,
    TABLE_NAME,
    arrow_table,
    chunk_schema,
    hit,
    open_table,
    record_row,
)

log = logging.getLogger("beacon.vectors")

# Below this many rows an exact flat scan is fast (a few ms at 384 dimensions), and an ANN
# index trained on too few vectors would only lose recall.
VECTOR_INDEX_MIN_ROWS = 50_000
# One HNSW graph per IVF partition: a single graph is best for recall, but its build memory
# grows with the rows it holds, so very large tables get a partition per this many rows.
ROWS_PER_HNSW_PARTITION = 1_000_000
VECTOR_INDEX = "vector_hnsw_sq"
QUERY_TIMEOUT = timedelta(seconds=30)
# Old table versions are kept this long so a query still reading one is never cut short;
# pruning them sooner than LanceDB's default week keeps the directory from growing with every
# upsert.
KEEP_OLD_VERSIONS = timedelta(hours=1)


class LanceVectorStore:
    """A `VectorStore` in an embedded LanceDB directory: one table (per embedding model) for
    every organisation."""

    def __init__(
        self,
        path: Path,
        dimensions: int,
        *,
        vector_index_min_rows: int = VECTOR_INDEX_MIN_ROWS,
        exact_search_max_rows: int = EXACT_SEARCH_MAX_ROWS,
        table: str = TABLE_NAME,
    ) -> None:
        if dimensions < 1:
            raise ValueError("dimensions must be positive")
        self._path = path
        self._table_name = table
        self._dimensions = dimensions
        self._schema = chunk_schema(dimensions)
        self._vector_index_min_rows = vector_index_min_rows
        self._connection: lancedb.AsyncConnection | None = None
        self._table: lancedb.AsyncTable | None = None
        self._commits = GroupCommit(self._commit)
        self._optimized_version: int | None = None
        self._snapshots = ExactSnapshots(exact_search_max_rows)

    async def start(self) -> None:
        """Open (or create) the table, check its vector size, and create missing indexes."""
        await asyncio.to_thread(self._path.mkdir, parents=True, exist_ok=True)
        connection = await lancedb.connect_async(self._path, read_consistency_interval=timedelta(0))
        try:
            self._table = await open_table(
                connection, self._table_name, self._path, self._dimensions
            )
        except BaseException:
            connection.close()  # type: ignore[no-untyped-call]
            raise
        self._connection = connection

    async def close(self) -> None:
        """Release the table and the connection."""
        await self._snapshots.close()
        if self._table is not None:
            self._table.close()  # type: ignore[no-untyped-call]
        if self._connection is not None:
            self._connection.close()  # type: ignore[no-untyped-call]
        self._table = self._connection = None

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        """Insert or replace records by id in one transaction."""
        await self._store(records, new=False)

    async def add(self, records: Sequence[VectorRecord]) -> None:
        """Append records the caller knows are new, without looking their ids up.

        `merge_insert` joins the batch against every `id` in the table (the part the index
        does not cover yet is scanned), so its cost grows with the table: measured, 300
        small upserts into a fresh table took 14 CPU s, 300 appends 1.9 s.
        """
        await self._store(records, new=True)

    async def _store(self, records: Sequence[VectorRecord], new: bool) -> None:
        if not records:
            return
        batch = VectorBatch.of(records, self._dimensions)
        rows = [
            record_row(record, vector)
            for record, vector in zip(batch.records, batch.vectors, strict=True)
        ]
        await self._commits.write(rows, new)

    async def _commit(self, rows: list[Row], new: bool) -> None:
        data = arrow_table(rows, self._schema)
        table = self._opened()
        if new:
            await table.add(data)
            return
        result = await (
            table.merge_insert("id")
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute(data)
        )
        stored = result.num_inserted_rows + result.num_updated_rows
        if stored != len(rows):
            raise RuntimeError(f"LanceDB stored {stored} of {len(rows)} records")

    async def delete_document(
        self, organization_id: uuid.UUID, document_id: uuid.UUID, keep_version: int | None = None
    ) -> None:
        """Remove the document's records (all, or all but `keep_version`) by predicate."""
        predicate = document_predicate(organization_id, document_id, keep_version)
        table = self._opened()
        async with self._commits.lock:
            await table.delete(predicate)

    async def delete_organization(self, organization_id: uuid.UUID) -> None:
        """Remove every record of the organisation."""
        table = self._opened()
        async with self._commits.lock:
            await table.delete(organization_predicate(organization_id))

    async def search_vector(
        self, vector: Sequence[float], access: Access, limit: int
    ) -> list[VectorHit]:
        """Nearest visible records by cosine similarity (1 - cosine distance), best first."""
        query_vector = checked_vector(vector, self._dimensions)
        predicate = access_predicate(access)
        if limit < 1:
            return []
        exact = await self._snapshots.search(self._opened(), query_vector, access, limit)
        if exact is not None:
            return exact
        query = (
            self._opened()
            .query()
            .nearest_to(query_vector)
            .column("vector")
            .distance_type("cosine")
            .where(predicate)
            # With an IVF index, keep probing partitions until `limit` allowed rows are found
            # (a narrow access filter can leave the nearest partitions without any).
            .maximum_nprobes(0)
            .limit(limit)
            .select([*HIT_COLUMNS, "_distance"])
        )
        rows = await query.to_list(timeout=QUERY_TIMEOUT)
        hits = [hit(row, 1.0 - float(row["_distance"])) for row in rows]
        return sorted(hits, key=lambda found: found.score, reverse=True)

    async def load_snapshot(self) -> bool:
        """Load the in-memory copy for dense search now; False if the table is too large (or
        the load failed, which is logged).

        Searches start loading it on their own in the background (LanceDB answers until it
        is ready); this waits for it, for callers that must know which path answers.
        """
        return await self._snapshots.load(self._opened())

    async def search_text(self, query: str, access: Access, limit: int) -> list[VectorHit]:
        """Best BM25 matches among visible records, best first."""
        predicate = access_predicate(access)
        if limit < 1 or not query.strip():
            return []
        search = (
            self._opened()
            .query()
            .nearest_to_text(query, columns="text")
            .where(predicate)
            .limit(limit)
            .select([*HIT_COLUMNS, "_score"])
        )
        rows = await search.to_list(timeout=QUERY_TIMEOUT)
        hits = [hit(row, float(row["_score"])) for row in rows]
        return sorted(hits, key=lambda found: found.score, reverse=True)

    async def document_ids(self, organization_id: uuid.UUID) -> dict[uuid.UUID, set[int]]:
        """Every document stored for the organisation, with its versions."""
        query = (
            self._opened()
            .query()
            .where(organization_predicate(organization_id))
            .select(["document_id", "version"])
        )
        documents: dict[uuid.UUID, set[int]] = {}
        async for batch in await query.to_batches(timeout=QUERY_TIMEOUT):
            # Deduplicate in Arrow: a document has many chunks per version.
            pairs = pa.Table.from_batches([batch]).group_by(["document_id", "version"])
            unique = pairs.aggregate([])
            for document_id, version in zip(
                unique.column("document_id").to_pylist(),
                unique.column("version").to_pylist(),
                strict=True,
            ):
                documents.setdefault(uuid.UUID(document_id), set()).add(int(version))
        return documents

    async def count(self, organization_id: uuid.UUID, document_id: uuid.UUID | None = None) -> int:
        """How many records the document has (the whole organisation's without one)."""
        if document_id is None:
            return await self._opened().count_rows(organization_predicate(organization_id))
        return await self._opened().count_rows(document_predicate(organization_id, document_id))

    async def ready(self) -> bool:
        """The table's files can be read (the data directory is local: no network)."""
        try:
            await self._opened().version()
        except Exception:  # a probe: any failure means not ready
            log.warning("LanceDB is not ready", exc_info=True)
            return False
        return True

    async def optimize(self) -> None:
        """Fold new rows into the indexes, compact files, and build the ANN index when due.

        Call after ingestion; a no-op (one version check) when nothing was written since.
        """
        table = self._opened()
        async with self._commits.lock:
            version = await table.version()
            if version == self._optimized_version:
                return
            rows = await table.count_rows()
            indexes = {index.name for index in await table.list_indices()}
            if rows >= self._vector_index_min_rows and VECTOR_INDEX not in indexes:
                partitions = max(1, rows // ROWS_PER_HNSW_PARTITION)
                await table.create_index(
                    "vector",
                    config=HnswSq(distance_type="cosine", num_partitions=partitions),
                    name=VECTOR_INDEX,
                )
            await table.optimize(cleanup_older_than=KEEP_OLD_VERSIONS)
            self._optimized_version = await table.version()

    async def has_vector_index(self) -> bool:
        """Whether `optimize()` has built the ANN index yet."""
        return VECTOR_INDEX in {index.name for index in await self._opened().list_indices()}

    def _opened(self) -> lancedb.AsyncTable:
        if self._table is None:
            raise RuntimeError("LanceVectorStore.start() has not been called")
        return self._table
