"""The vector-store port: records, access rules and the protocol every adapter implements.

What `search_text` promises, in every store (tests/integration/vectorstores/test_contract.py
checks it against each one):

- Whole words match, whatever their case or accents: "cafe" finds "Café", "zoe" finds "Zoë".
- `ENGLISH_STOP_WORDS` are ignored: they never add to a score, and a query made only of them
  ("it", "the", "is it") finds nothing by text (dense search still answers it).
- Every other word counts, however short: "AI", "Go", "C" and "42" are searched.
- A blank query finds nothing.

Stores may widen recall beyond that, and rank differently: BM25 scores are comparable within
one store only. LanceDB stems English words ("invoice" finds "invoices"); Weaviate has no
stemmer, so there only the word as written matches. LanceDB stems before it folds accents,
so there a word whose stem hangs on an accented last letter can still differ ("résumé" does
not find "resume").
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from domain.visibility import Visibility

FloatMatrix = np.ndarray[Any, np.dtype[np.float32]]

# Lucene's classic English list, which is Weaviate's "en" preset word for word: LanceDB is given
# the same list, so both stores ignore the same words (LanceDB's default list is longer: it also
# drops words such as "you", "what" and "should", which a query may well mean).
ENGLISH_STOP_WORDS = (
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with",
)  # fmt: skip


@dataclass(frozen=True)
class VectorRecord:
    """One chunk as stored for retrieval; `id` is uuid5(document id, version, index).

    Checked on construction, so no store formats a filter from a wrong value: the ids must be
    `uuid.UUID`s (stores compare them as canonical UUID text) and the visibility a
    `Visibility`. The vector depends on the store's size: `VectorBatch` checks it.
    """

    id: uuid.UUID
    organization_id: uuid.UUID
    document_id: uuid.UUID
    version: int
    chunk_index: int
    visibility: Visibility
    owner_id: uuid.UUID
    text: str
    vector: Sequence[float]
    page: int | None = None
    heading_path: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("id", "organization_id", "document_id", "owner_id"):
            value = getattr(self, name)
            if not isinstance(value, uuid.UUID):
                raise TypeError(f"{name}: expected uuid.UUID, got {type(value).__name__}")
        if not isinstance(self.visibility, Visibility):
            raise ValueError(f"unknown visibility {self.visibility!r}")


@dataclass(frozen=True)
class VectorBatch:
    """Records a store may write in one call: distinct ids, and every vector of the store's
    size and finite, as one float32 matrix (row i is `records[i]`'s vector)."""

    records: Sequence[VectorRecord]
    vectors: FloatMatrix

    @classmethod
    def of(cls, records: Sequence[VectorRecord], dimensions: int) -> "VectorBatch":
        """Check `records` for a store of `dimensions`; raises ValueError naming the fault."""
        if len({record.id for record in records}) != len(records):
            # Stores differ on an id named twice in one write (LanceDB's merge_insert leaves it
            # undefined): no store is given the choice.
            raise ValueError("records must have distinct ids")
        if not records:
            return cls(records, np.empty((0, dimensions), dtype=np.float32))
        vectors = np.stack([checked_vector(record.vector, dimensions) for record in records])
        return cls(records, vectors)


def checked_vector(vector: Sequence[float], dimensions: int) -> FloatMatrix:
    """`vector` as float32, as stores keep it; raises ValueError if it is not `dimensions`
    finite values (a value too large for float32 becomes infinity, and is refused too)."""
    # numpy checks a whole vector at once: Python loops over every value cost ~0.2 ms a chunk
    # on the ingestion path.
    with np.errstate(over="ignore"):
        values = np.asarray(vector, dtype=np.float32)
    if values.shape != (dimensions,):
        raise ValueError(f"expected {dimensions} dimensions, got {values.size}")
    if not np.isfinite(values).all():
        raise ValueError("vector contains NaN or infinity")
    return values


@dataclass(frozen=True)
class Access:
    """Who is searching: the store applies this inside the query, never afterwards."""

    organization_id: uuid.UUID
    user_id: uuid.UUID
    is_admin: bool


@dataclass(frozen=True)
class VectorHit:
    """A record found by a search, best first; higher `score` is better."""

    id: uuid.UUID
    document_id: uuid.UUID
    version: int
    chunk_index: int
    text: str
    score: float
    page: int | None
    heading_path: list[str]


class VectorStore(Protocol):
    """Stores chunk vectors per organisation and searches them under an access rule.

    One store holds the vectors of one embedding model (a LanceDB table, a Weaviate
    collection; see `domain/retrieval/spaces.py`), so vectors of two models never mix: a
    record of any other size is refused, and a store opened on stored vectors of another
    size refuses to start."""

    async def start(self) -> None:
        """Connect, and create the collection/table and indexes if missing."""

    async def close(self) -> None:
        """Release connections."""

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        """Insert or replace records by id; raises if any record was not stored."""

    async def add(self, records: Sequence[VectorRecord]) -> None:
        """Store records whose ids the store cannot hold yet; raises if any was not stored.

        The caller must know the ids are new (a document version's first attempt): a store
        may skip the id lookup that `upsert` needs, so an id added twice may be stored twice.
        """

    async def delete_document(
        self, organization_id: uuid.UUID, document_id: uuid.UUID, keep_version: int | None = None
    ) -> None:
        """Remove the document's records (all, or all but `keep_version`)."""

    async def delete_organization(self, organization_id: uuid.UUID) -> None:
        """Remove every record of the organisation (its vectors of a model it no longer uses)."""

    async def search_vector(
        self, vector: Sequence[float], access: Access, limit: int
    ) -> list[VectorHit]:
        """Nearest records the caller may see (cosine similarity, best first)."""

    async def search_text(self, query: str, access: Access, limit: int) -> list[VectorHit]:
        """Best BM25 matches the caller may see (best first), as the module docstring promises."""

    async def document_ids(self, organization_id: uuid.UUID) -> dict[uuid.UUID, set[int]]:
        """For reconciliation: every document id stored for the organisation, with its versions."""

    async def count(self, organization_id: uuid.UUID, document_id: uuid.UUID | None = None) -> int:
        """How many records the document has (the whole organisation's without one)."""

    async def ready(self) -> bool:
        """Whether the store answers now (for readiness probes; never raises)."""

    async def optimize(self) -> None:
        """Housekeeping (compaction, index builds); cheap when nothing changed."""
