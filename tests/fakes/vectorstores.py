"""An in-memory `VectorStore`: the port's whole contract (access rules, organisations kept
apart, BM25 text search, vector sizes per model) without a server or a directory.

tests/integration/vectorstores/test_contract.py runs it beside LanceDB and Weaviate. Stores
opened on one `MemoryVectorTables` share their tables as LanceDB stores share a directory,
so `ModelSpaces` can open one store per embedding model on it, and a store reopened on a
model's table finds what was written there.
"""

import math
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.retrieval.vectorstores.base import (
    Access,
    VectorBatch,
    VectorHit,
    VectorRecord,
    checked_vector,
)
from domain.visibility import Visibility
from tests.fakes.text_search import bm25, terms


def checked_access(access: Access) -> Access:
    """The access rule's inputs, refused unless typed as the port says."""
    for value in (access.organization_id, access.user_id):
        if not isinstance(value, uuid.UUID):
            raise TypeError(f"expected uuid.UUID, got {type(value).__name__}")
    if not isinstance(access.is_admin, bool):
        raise TypeError("is_admin must be a bool")
    return access


def may_see(access: Access, record: VectorRecord) -> bool:
    """The access rule: an organisation's own records, PRIVATE ones only for their owner and
    the organisation's ADMINs."""
    if record.organization_id != access.organization_id:
        return False
    return (
        access.is_admin
        or record.visibility == Visibility.ORGANIZATION
        or record.owner_id == access.user_id
    )


@dataclass(frozen=True)
class _Row:
    """A stored record, with what searches compute from it once."""

    record: VectorRecord
    unit: list[float]  # the vector at unit length (zero stays zero): cosine is a dot product
    terms: Counter[str]

    @classmethod
    def of(cls, record: VectorRecord) -> "_Row":
        vector = [float(value) for value in record.vector]
        norm = math.sqrt(math.fsum(value * value for value in vector)) or 1.0
        return cls(record, [value / norm for value in vector], terms(record.text))

    def hit(self, score: float) -> VectorHit:
        record = self.record
        return VectorHit(
            id=record.id,
            document_id=record.document_id,
            version=record.version,
            chunk_index=record.chunk_index,
            text=record.text,
            score=score,
            page=record.page,
            heading_path=list(record.heading_path),
        )


@dataclass
class MemoryTable:
    """One embedding model's vectors: their size is fixed when the table is made."""

    dimensions: int
    rows: dict[uuid.UUID, _Row] = field(default_factory=dict)


class MemoryVectorStore:
    """A `VectorStore` in a `MemoryTable` (a table of its own unless given one); counts how
    many times it was started and closed."""

    def __init__(self, dimensions: int, table: MemoryTable | None = None) -> None:
        if dimensions < 1:
            raise ValueError("dimensions must be positive")
        self._dimensions = dimensions
        self._table = table if table is not None else MemoryTable(dimensions)
        self._open = False
        self.started = self.closed = 0
        # Every write, in order, as the records it was given (what `upsert` and `add` saw).
        self.writes: list[list[VectorRecord]] = []

    async def start(self) -> None:
        """Open the table; refused when it holds vectors of another size."""
        if self._table.dimensions != self._dimensions:
            raise ValueError(
                f"the vector table holds vectors of {self._table.dimensions} dimensions, not "
                f"{self._dimensions}: its embedding model made vectors of another size"
            )
        self._open = True
        self.started += 1

    async def close(self) -> None:
        """Stop answering; the table keeps its records for the next `start`."""
        self._open = False
        self.closed += 1

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        """Insert or replace records by id, all of them or (refused) none."""
        rows = self._opened()
        VectorBatch.of(records, self._dimensions)
        self.writes.append(list(records))
        rows.update((record.id, _Row.of(record)) for record in records)

    async def add(self, records: Sequence[VectorRecord]) -> None:
        """As `upsert`: replacing costs nothing here."""
        await self.upsert(records)

    async def delete_document(
        self, organization_id: uuid.UUID, document_id: uuid.UUID, keep_version: int | None = None
    ) -> None:
        """Remove the document's records (all, or all but `keep_version`)."""
        rows = self._opened()
        for key, row in list(rows.items()):
            record = row.record
            if (
                record.organization_id == organization_id
                and record.document_id == document_id
                and record.version != keep_version
            ):
                del rows[key]

    async def delete_organization(self, organization_id: uuid.UUID) -> None:
        """Remove every record of the organisation."""
        rows = self._opened()
        for key, row in list(rows.items()):
            if row.record.organization_id == organization_id:
                del rows[key]

    async def search_vector(
        self, vector: Sequence[float], access: Access, limit: int
    ) -> list[VectorHit]:
        """Nearest visible records by cosine similarity, best first (ties in write order)."""
        query = checked_vector(vector, self._dimensions)
        checked_access(access)
        if limit < 1:
            return []
        norm = math.sqrt(math.fsum(value * value for value in query)) or 1.0
        scored = [
            (math.fsum(a * b for a, b in zip(row.unit, query, strict=True)) / norm, row)
            for row in self._opened().values()
            if may_see(access, row.record)
        ]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return [row.hit(score) for score, row in scored[:limit]]

    async def search_text(self, query: str, access: Access, limit: int) -> list[VectorHit]:
        """Best BM25 matches among visible records, best first; the organisation's records
        are the corpus, as a Weaviate tenant's are."""
        checked_access(access)
        if limit < 1 or not query.strip():
            return []
        corpus = [
            row
            for row in self._opened().values()
            if row.record.organization_id == access.organization_id
        ]
        scores = bm25(query, [row.terms for row in corpus])
        scored = [
            (score, row)
            for score, row in zip(scores, corpus, strict=True)
            if score > 0 and may_see(access, row.record)
        ]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return [row.hit(score) for score, row in scored[:limit]]

    async def document_ids(self, organization_id: uuid.UUID) -> dict[uuid.UUID, set[int]]:
        """Every document stored for the organisation, with its versions."""
        documents: dict[uuid.UUID, set[int]] = {}
        for row in self._opened().values():
            if row.record.organization_id == organization_id:
                documents.setdefault(row.record.document_id, set()).add(row.record.version)
        return documents

    async def count(self, organization_id: uuid.UUID, document_id: uuid.UUID | None = None) -> int:
        """How many records the document has (the whole organisation's without one)."""
        return sum(
            1
            for row in self._opened().values()
            if row.record.organization_id == organization_id
            and document_id in (None, row.record.document_id)
        )

    async def ready(self) -> bool:
        """Started and not closed."""
        return self._open

    async def optimize(self) -> None:
        """Nothing to maintain: every search reads every row."""
        self._opened()

    def _opened(self) -> dict[uuid.UUID, _Row]:
        if not self._open:
            raise RuntimeError("MemoryVectorStore.start() has not been called")
        return self._table.rows


class MemoryVectorTables:
    """Every model's `MemoryTable`, made on first use: a `ModelSpaces` store opener."""

    def __init__(self) -> None:
        self.tables: dict[str, MemoryTable] = {}

    def open(self, model: str, dimensions: int) -> MemoryVectorStore:
        """An unstarted store on `model`'s table (made now with vectors of `dimensions`)."""
        table = self.tables.setdefault(model, MemoryTable(dimensions))
        return MemoryVectorStore(dimensions, table)
