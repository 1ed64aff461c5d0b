"""The embedded adapter: one LanceDB table on local disk, driven through LanceDB's async API.

Design notes (why, not what):

- Access rules are a SQL prefilter (`where(...)`, LanceDB's default prefiltering): rows the
  caller may not see are removed before the nearest-neighbour / BM25 ranking, so `limit`
  allowed hits come back even when forbidden rows are the best matches. Values are only ever
  formatted from `uuid.UUID` objects (see `sql_uuid`), so no caller string reaches the SQL.
- Lexical search keeps the promise in base.py: the FTS index lowercases, folds accents and
  drops exactly `ENGLISH_STOP_WORDS` (given explicitly: LanceDB's default list is longer). It
  also stems English words, which Weaviate cannot, so "invoice" finds "invoices" here only;
  and as it stems before it folds accents, a word whose stem hangs on an accented last letter
  can still differ ("résumé" does not find "resume", though "naïve" finds "naive"). An index
  built with other stop words (before Beacon fixed the list) is rebuilt at `start()`.
- Full-text freshness: a native FTS (BM25) index on `text` exists from `start()` on (building
  it on an empty table is instant). LanceDB searches rows the index does not cover yet with a
  flat scan and merges them into the ranking, so a row is findable the moment `upsert`
  returns; `optimize()` later folds new rows into the index so that scan stays short.
- The ANN vector index is only built by `optimize()` once the table holds
  `VECTOR_INDEX_MIN_ROWS` rows: below that an exhaustive scan is exact and still fast.
- Writes are serialised per store (see `_write_lock`), and `id` is declared the table's
  primary key so concurrent writers in other stores or processes are detected at commit.
- Reads check for newer table versions on every query (`read_consistency_interval=0`):
  the API server and the worker each build their own store on the same directory, and the
  server must see chunks the worker has just written.
- Dense search is answered from an exact in-memory `Snapshot` (see `exact.py`) while the
  table is at most `exact_search_max_rows` rows and the snapshot is of the table's current
  version; otherwise LanceDB answers, and a snapshot of the new version is loaded in the
  background. So a search never sees a stale row, and sees a written row at once.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import FTS, Bitmap, BTree, HnswSq, IndexConfig

from domain.retrieval.vectorstores.base import (
    ENGLISH_STOP_WORDS,
    Access,
    FloatMatrix,
    VectorBatch,
    VectorHit,
    VectorRecord,
    checked_vector,
)
from domain.retrieval.vectorstores.exact import ACCESS_COLUMNS, Snapshot
from domain.visibility import Visibility

log = logging.getLogger("beacon.vectors")

TABLE_NAME = "chunks"
# Below this many rows an exact flat scan is fast (a few ms at 384 dimensions), and an ANN
# index trained on too few vectors would only lose recall.
VECTOR_INDEX_MIN_ROWS = 50_000
# One HNSW graph per IVF partition: a single graph is best for recall, but its build memory
# grows with the rows it holds, so very large tables get a partition per this many rows.
ROWS_PER_HNSW_PARTITION = 1_000_000
VECTOR_INDEX = "vector_hnsw_sq"
TEXT_INDEX = "text_fts"
# Lowercasing, accent folding and stemming are LanceDB's defaults; the stop words are not.
TEXT_INDEX_STOP_WORDS = list(ENGLISH_STOP_WORDS)
# Scalar indexes speed up the merge join on `id` and every part of the access filter
# (measured at 100k rows: a filtered vector search took 13 ms without the visibility and
# owner indexes, 4 ms with them).
SCALAR_INDEXES: dict[str, tuple[str, BTree | Bitmap]] = {
    "id": ("id_btree", BTree()),
    "organization_id": ("organization_btree", BTree()),
    "document_id": ("document_btree", BTree()),
    "owner_id": ("owner_btree", BTree()),
    "visibility": ("visibility_bitmap", Bitmap()),  # two values: a bitmap is the right shape
}
QUERY_TIMEOUT = timedelta(seconds=30)
# Old table versions are kept this long so a query still reading one is never cut short;
# pruning them sooner than LanceDB's default week keeps the directory from growing with every
# upsert.
KEEP_OLD_VERSIONS = timedelta(hours=1)
# Up to this many rows dense search runs on an in-memory copy (measured: ~250 MB retained
# per 100k rows, the vectors and a hit per row; more while a copy loads).
EXACT_SEARCH_MAX_ROWS = 250_000
# A search over at most this many rows takes ~2 ms, less than handing it to a thread costs
# in wake-ups under load; larger ones leave the event loop free.
INLINE_SEARCH_MAX_ROWS = 50_000
# A new version is loaded only once the table has kept it this long: during bulk ingestion
# every load would be stale within a second, and each full read of the table also leaves
# LanceDB's and Arrow's allocators holding more memory (measured: RSS +20-100 MB per read
# of 100k rows). Searches meanwhile go to LanceDB, as fresh and a few ms slower.
SNAPSHOT_QUIET_SECONDS = 1.0
# And a load may start only this many times its own duration after the previous one ended,
# so a table written every few seconds costs at most a fifth of a core in reloads.
SNAPSHOT_LOAD_SPACING = 4.0
_PRIMARY_KEY_METADATA = b"lance-schema:unenforced-primary-key:position"
_HIT_COLUMNS = ["id", "document_id", "version", "chunk_index", "text", "page", "heading_path"]


def sql_uuid(value: uuid.UUID) -> str:
    """A quoted SQL literal for a UUID; anything but a `uuid.UUID` is refused."""
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"expected uuid.UUID, got {type(value).__name__}")
    # str(UUID) is always 36 characters of hex digits and dashes: nothing to escape.
    return f"'{value}'"


def sql_int(value: int) -> str:
    """A SQL literal for an integer; bools and other types are refused."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected int, got {type(value).__name__}")
    return str(int(value))


def access_predicate(access: Access) -> str:
    """The SQL prefilter keeping only the records `access` may see."""
    organization = f"organization_id = {sql_uuid(access.organization_id)}"
    if not isinstance(access.is_admin, bool):
        raise TypeError("is_admin must be a bool")
    if access.is_admin:
        return organization
    owner = sql_uuid(access.user_id)
    return (
        f"{organization} AND (visibility = '{Visibility.ORGANIZATION.value}' OR owner_id = {owner})"
    )


def document_predicate(
    organization_id: uuid.UUID, document_id: uuid.UUID, keep_version: int | None = None
) -> str:
    """The SQL predicate selecting a document's records (optionally all but one version)."""
    predicate = (
        f"organization_id = {sql_uuid(organization_id)} AND document_id = {sql_uuid(document_id)}"
    )
    if keep_version is not None:
        predicate += f" AND version != {sql_int(keep_version)}"
    return predicate


def chunk_schema(dimensions: int) -> pa.Schema:
    """The Arrow schema of the `chunks` table for vectors of `dimensions` floats."""
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("organization_id", pa.string(), nullable=False),
            pa.field("document_id", pa.string(), nullable=False),
            pa.field("owner_id", pa.string(), nullable=False),
            pa.field("visibility", pa.string(), nullable=False),
            pa.field("version", pa.int64(), nullable=False),
            pa.field("chunk_index", pa.int64(), nullable=False),
            pa.field("page", pa.int64(), nullable=True),
            pa.field("heading_path", pa.list_(pa.string()), nullable=False),
            pa.field("text", pa.string(), nullable=False),
            pa.field("vector", pa.list_(pa.float32(), dimensions), nullable=False),
        ]
    )


@dataclass
class _PendingWrite:
    """One caller's rows waiting for the group commit."""

    rows: list[dict[str, Any]]
    new: bool  # added, not upserted: the ids are known not to be stored yet
    done: "asyncio.Future[None]"


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
        # LanceDB commits optimistically: concurrent merge_inserts on one table conflict and
        # retry (each retry re-reads the table, so N writers cost O(N^2) attempts and can hit
        # the 30 s retry budget), and without a primary key two writers inserting the same new
        # ids both succeed, leaving duplicate rows. One writer at a time per store avoids both;
        # the declared primary key covers writers in other stores or processes.
        self._write_lock = asyncio.Lock()
        self._pending: list[_PendingWrite] = []
        self._optimized_version: int | None = None
        self._exact_search_max_rows = exact_search_max_rows
        self._snapshot: Snapshot | None = None
        self._snapshot_load: asyncio.Task[None] | None = None
        self._next_snapshot_load = 0.0  # time.monotonic() before which none starts
        self._latest_version = (-1, 0.0)  # the newest version seen, and when first seen

    async def start(self) -> None:
        """Open (or create) the table, check its vector size, and create missing indexes."""
        await asyncio.to_thread(self._path.mkdir, parents=True, exist_ok=True)
        connection = await lancedb.connect_async(self._path, read_consistency_interval=timedelta(0))
        try:
            self._table = await self._prepare(connection)
        except BaseException:
            connection.close()  # type: ignore[no-untyped-call]
            raise
        self._connection = connection

    async def _prepare(self, connection: lancedb.AsyncConnection) -> lancedb.AsyncTable:
        table = await self._open_or_create(connection)
        schema = await table.schema()
        stored = schema.field("vector").type
        if stored != self._schema.field("vector").type:
            table.close()  # type: ignore[no-untyped-call]
            raise ValueError(
                f"the vector table {self._table_name} at {self._path} holds {stored} vectors, "
                f"not {self._dimensions} floats: its embedding model made vectors of another size"
            )
        metadata = schema.field("id").metadata or {}
        if _PRIMARY_KEY_METADATA not in metadata:
            await table.set_unenforced_primary_key("id")
        indexes = list(await table.list_indices())
        existing = {index.name for index in indexes}
        for column, (name, config) in SCALAR_INDEXES.items():
            if name not in existing:
                await table.create_index(column, config=config, name=name)
        if not _text_index_is_current(indexes):
            await self._build_text_index(table)
        return table

    async def _build_text_index(self, table: lancedb.AsyncTable) -> None:
        config = FTS(custom_stop_words=TEXT_INDEX_STOP_WORDS)
        try:
            # `replace` swaps the old index out in the same commit: searches never lack one.
            await table.create_index("text", config=config, name=TEXT_INDEX, replace=True)
        except Exception:
            # Another store starting on the same directory may have committed it first.
            if not _text_index_is_current(await table.list_indices()):
                raise

    async def _open_or_create(self, connection: lancedb.AsyncConnection) -> lancedb.AsyncTable:
        # Not create_table(exist_ok=True): it compares schemas including field metadata, and
        # the primary-key marker set below makes an existing table differ from `_schema`.
        try:
            return await connection.open_table(self._table_name)
        except ValueError:
            pass  # not created yet
        try:
            return await connection.create_table(self._table_name, schema=self._schema)
        except ValueError:
            # Another store created it between our open and our create.
            return await connection.open_table(self._table_name)

    async def close(self) -> None:
        """Release the table and the connection."""
        if self._snapshot_load is not None:
            self._snapshot_load.cancel()
            await asyncio.gather(self._snapshot_load, return_exceptions=True)
        self._snapshot = self._snapshot_load = None
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
            self._row(record, vector)
            for record, vector in zip(batch.records, batch.vectors, strict=True)
        ]
        # Group commit: every Lance write is a new table version, so while one write runs,
        # the writes that arrive meanwhile are merged and written together by whichever
        # caller takes the lock next. Ingesting many small documents then costs a few
        # versions instead of one per document.
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(_PendingWrite(rows, new, done))
        async with self._write_lock:
            if not done.done():
                waiting, self._pending = self._pending, []
                await self._write(waiting)
        await done

    async def _write(self, batch: list[_PendingWrite]) -> None:
        # Later upserts of an id win, as they would have one after another (merge_insert
        # refuses a batch that names an id twice).
        rows = list({row["id"]: row for part in batch for row in part.rows}.values())
        data = self._table_of(rows)
        table = self._opened()
        try:
            if all(part.new for part in batch):
                await table.add(data)
            else:
                result = await (
                    table.merge_insert("id")
                    .when_matched_update_all()
                    .when_not_matched_insert_all()
                    .execute(data)
                )
                stored = result.num_inserted_rows + result.num_updated_rows
                if stored != len(rows):
                    raise RuntimeError(f"LanceDB stored {stored} of {len(rows)} records")
        except BaseException as error:
            # Everyone in the batch learns of the failure, even if the writer was cancelled.
            failure = error if isinstance(error, Exception) else RuntimeError("write cancelled")
            for part in batch:
                if not part.done.done():
                    part.done.set_exception(failure)
            if not isinstance(error, Exception):
                raise
            return
        for part in batch:
            part.done.set_result(None)

    async def delete_document(
        self, organization_id: uuid.UUID, document_id: uuid.UUID, keep_version: int | None = None
    ) -> None:
        """Remove the document's records (all, or all but `keep_version`) by predicate."""
        predicate = document_predicate(organization_id, document_id, keep_version)
        table = self._opened()
        async with self._write_lock:
            await table.delete(predicate)

    async def delete_organization(self, organization_id: uuid.UUID) -> None:
        """Remove every record of the organisation."""
        table = self._opened()
        async with self._write_lock:
            await table.delete(f"organization_id = {sql_uuid(organization_id)}")

    async def search_vector(
        self, vector: Sequence[float], access: Access, limit: int
    ) -> list[VectorHit]:
        """Nearest visible records by cosine similarity (1 - cosine distance), best first."""
        query_vector = checked_vector(vector, self._dimensions)
        predicate = access_predicate(access)
        if limit < 1:
            return []
        snapshot = await self._current_snapshot()
        if snapshot is not None:
            if snapshot.visible_rows(access) <= INLINE_SEARCH_MAX_ROWS:
                return snapshot.search(query_vector, access, limit)
            return await asyncio.to_thread(snapshot.search, query_vector, access, limit)
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
            .select([*_HIT_COLUMNS, "_distance"])
        )
        rows = await query.to_list(timeout=QUERY_TIMEOUT)
        hits = [_hit(row, 1.0 - float(row["_distance"])) for row in rows]
        return sorted(hits, key=lambda hit: hit.score, reverse=True)

    async def load_snapshot(self) -> bool:
        """Load the in-memory copy for dense search now; False if the table is too large (or
        the load failed, which is logged).

        Searches start loading it on their own in the background (LanceDB answers until it
        is ready); this waits for it, for callers that must know which path answers.
        """
        if self._snapshot_load is not None:
            await asyncio.gather(self._snapshot_load, return_exceptions=True)
        await self._load_snapshot()
        return self._snapshot is not None

    async def _current_snapshot(self) -> Snapshot | None:
        """The snapshot if it is of the table's current version, else None (and reload)."""
        if self._exact_search_max_rows < 1:
            return None
        version = await self._opened().version()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        now = time.monotonic()
        if version != self._latest_version[0]:
            self._latest_version = (version, now)
        quiet = now - self._latest_version[1] >= SNAPSHOT_QUIET_SECONDS
        loading = self._snapshot_load is not None and not self._snapshot_load.done()
        if quiet and not loading and now >= self._next_snapshot_load:
            self._snapshot_load = asyncio.create_task(self._load_snapshot())
        return None

    async def _load_snapshot(self) -> None:
        table = self._opened()
        started = time.monotonic()
        try:
            version = await table.version()
            if self._snapshot is not None and self._snapshot.version == version:
                return
            self._snapshot = None  # free the old copy before reading the new one
            if await table.count_rows() > self._exact_search_max_rows:
                return
            data = await table.query().select([*_HIT_COLUMNS, *ACCESS_COLUMNS]).to_arrow()
            if await table.version() != version:
                return  # written to while reading: the rows may mix versions
            self._snapshot = await asyncio.to_thread(Snapshot.from_arrow, version, data, _row_hit)
        except Exception:
            # Searches stay correct without a snapshot (LanceDB answers); the next quiet
            # moment tries again.
            log.warning("loading the exact search snapshot failed", exc_info=True)
        finally:
            elapsed = time.monotonic() - started
            self._next_snapshot_load = time.monotonic() + SNAPSHOT_LOAD_SPACING * elapsed

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
            .select([*_HIT_COLUMNS, "_score"])
        )
        rows = await search.to_list(timeout=QUERY_TIMEOUT)
        hits = [_hit(row, float(row["_score"])) for row in rows]
        return sorted(hits, key=lambda hit: hit.score, reverse=True)

    async def document_ids(self, organization_id: uuid.UUID) -> dict[uuid.UUID, set[int]]:
        """Every document stored for the organisation, with its versions."""
        query = (
            self._opened()
            .query()
            .where(f"organization_id = {sql_uuid(organization_id)}")
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
            return await self._opened().count_rows(f"organization_id = {sql_uuid(organization_id)}")
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
        async with self._write_lock:
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

    def _table_of(self, rows: list[dict[str, Any]]) -> pa.Table:
        """Rows (from `_row`) as an Arrow table; the vectors go over as one float32 buffer."""
        columns: dict[str, Any] = {
            name: [row[name] for row in rows] for name in self._schema.names if name != "vector"
        }
        matrix = np.stack([row["vector"] for row in rows])
        columns["vector"] = pa.FixedSizeListArray.from_arrays(
            pa.array(matrix.ravel(), type=pa.float32()), self._dimensions
        )
        return pa.Table.from_pydict(columns, schema=self._schema)

    def _row(self, record: VectorRecord, vector: FloatMatrix) -> dict[str, Any]:
        # `VectorRecord` has checked the ids (stored as the canonical UUID text `sql_uuid`
        # literals compare with) and the visibility, `VectorBatch` the vector.
        return {
            "id": str(record.id),
            "organization_id": str(record.organization_id),
            "document_id": str(record.document_id),
            "owner_id": str(record.owner_id),
            "visibility": record.visibility.value,
            "version": record.version,
            "chunk_index": record.chunk_index,
            "page": record.page,
            "heading_path": list(record.heading_path),
            "text": record.text,
            "vector": vector,
        }


def _text_index_is_current(indexes: Iterable[IndexConfig]) -> bool:
    """Whether the table's FTS index exists and drops exactly Beacon's stop words."""
    for index in indexes:
        if index.name == TEXT_INDEX:
            details = index.index_details or {}
            return bool(details.get("custom_stop_words") == TEXT_INDEX_STOP_WORDS)
    return False


def _row_hit(row: dict[str, Any]) -> VectorHit:
    return _hit(row, 0.0)


def _hit(row: dict[str, Any], score: float) -> VectorHit:
    return VectorHit(
        id=uuid.UUID(row["id"]),
        document_id=uuid.UUID(row["document_id"]),
        version=int(row["version"]),
        chunk_index=int(row["chunk_index"]),
        text=row["text"],
        score=score,
        page=None if row["page"] is None else int(row["page"]),
        heading_path=list(row["heading_path"] or []),
    )
