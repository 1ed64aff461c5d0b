"""The LanceDB chunks table: its Arrow schema, its indexes, and records as its rows.

- Lexical search keeps the promise in base.py: the FTS index lowercases, folds accents and
  drops exactly `ENGLISH_STOP_WORDS` (given explicitly: LanceDB's default list is longer). It
  also stems English words, which Weaviate cannot, so "invoice" finds "invoices" here only;
  and as it stems before it folds accents, a word whose stem hangs on an accented last letter
  can still differ ("résumé" does not find "resume", though "naïve" finds "naive"). An index
  built with other stop words (before Beacon fixed the list) is rebuilt when the table opens.
- Full-text freshness: a native FTS (BM25) index on `text` exists from the table's creation
  (building it on an empty table is instant). LanceDB searches rows the index does not cover
  yet with a flat scan and merges them into the ranking, so a row is findable the moment it
  is written; the store's `optimize()` later folds new rows into the index.
- `id` is declared the table's primary key so concurrent writers in other stores or
  processes are detected at commit.
"""

import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import FTS, Bitmap, BTree, IndexConfig

from domain.retrieval.vectorstores.base import (
    ENGLISH_STOP_WORDS,
    FloatMatrix,
    VectorHit,
    VectorRecord,
)

TABLE_NAME = "chunks"
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
HIT_COLUMNS = ["id", "document_id", "version", "chunk_index", "text", "page", "heading_path"]
_PRIMARY_KEY_METADATA = b"lance-schema:unenforced-primary-key:position"


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


async def open_table(
    connection: lancedb.AsyncConnection, name: str, path: Path, dimensions: int
) -> lancedb.AsyncTable:
    """Open (or create) the table, check its vector size, and create missing indexes."""
    schema = chunk_schema(dimensions)
    table = await _open_or_create(connection, name, schema)
    stored_schema = await table.schema()
    stored = stored_schema.field("vector").type
    if stored != schema.field("vector").type:
        table.close()  # type: ignore[no-untyped-call]
        raise ValueError(
            f"the vector table {name} at {path} holds {stored} vectors, "
            f"not {dimensions} floats: its embedding model made vectors of another size"
        )
    metadata = stored_schema.field("id").metadata or {}
    if _PRIMARY_KEY_METADATA not in metadata:
        await table.set_unenforced_primary_key("id")
    indexes = list(await table.list_indices())
    existing = {index.name for index in indexes}
    for column, (index_name, config) in SCALAR_INDEXES.items():
        if index_name not in existing:
            await table.create_index(column, config=config, name=index_name)
    if not _text_index_is_current(indexes):
        await _build_text_index(table)
    return table


async def _open_or_create(
    connection: lancedb.AsyncConnection, name: str, schema: pa.Schema
) -> lancedb.AsyncTable:
    # Not create_table(exist_ok=True): it compares schemas including field metadata, and
    # the primary-key marker set by `open_table` makes an existing table differ from `schema`.
    try:
        return await connection.open_table(name)
    except ValueError:
        pass  # not created yet
    try:
        return await connection.create_table(name, schema=schema)
    except ValueError:
        # Another store created it between our open and our create.
        return await connection.open_table(name)


async def _build_text_index(table: lancedb.AsyncTable) -> None:
    config = FTS(custom_stop_words=TEXT_INDEX_STOP_WORDS)
    try:
        # `replace` swaps the old index out in the same commit: searches never lack one.
        await table.create_index("text", config=config, name=TEXT_INDEX, replace=True)
    except Exception:
        # Another store starting on the same directory may have committed it first.
        if not _text_index_is_current(await table.list_indices()):
            raise


def _text_index_is_current(indexes: Iterable[IndexConfig]) -> bool:
    """Whether the table's FTS index exists and drops exactly Beacon's stop words."""
    for index in indexes:
        if index.name == TEXT_INDEX:
            details = index.index_details or {}
            return bool(details.get("custom_stop_words") == TEXT_INDEX_STOP_WORDS)
    return False


def record_row(record: VectorRecord, vector: FloatMatrix) -> dict[str, Any]:
    """A record as a table row; `VectorRecord` has checked its ids and visibility, and
    `VectorBatch` its vector (ids are stored as the canonical UUID text predicates compare)."""
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


def arrow_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows (from `record_row`) as an Arrow table; the vectors go over as one float32 buffer."""
    columns: dict[str, Any] = {
        name: [row[name] for row in rows] for name in schema.names if name != "vector"
    }
    matrix = np.stack([row["vector"] for row in rows])
    dimensions = schema.field("vector").type.list_size
    columns["vector"] = pa.FixedSizeListArray.from_arrays(
        pa.array(matrix.ravel(), type=pa.float32()), dimensions
    )
    return pa.Table.from_pydict(columns, schema=schema)


def row_hit(row: dict[str, Any]) -> VectorHit:
    """A row (of `HIT_COLUMNS`) as a hit scoring 0."""
    return hit(row, 0.0)


def hit(row: dict[str, Any], score: float) -> VectorHit:
    """A row (of `HIT_COLUMNS`) as a hit scoring `score`."""
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
