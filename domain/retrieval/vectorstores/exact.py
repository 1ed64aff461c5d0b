"""Exact dense search over an in-memory copy of one version of the chunks table.

Why this exists beside LanceDB's HNSW index: at the sizes an embedded deployment holds (up
to a few hundred thousand chunks) one matrix-vector product over an organisation's rows is
exact and several times faster than a LanceDB vector query, whose cost at 100k rows is
mostly fixed per query (planning, the prefilter, Arrow batches), not distance computations:
measured with `python -m bench.query --chunks 100000`, see the README. This is not an
index: nothing is approximated or maintained incrementally. A `Snapshot` is a frozen copy of
one table version, and the store throws it away as soon as the table moves on.

The access rule is applied before ranking, as in LanceDB's prefilter: only the spans of rows
the caller may see are scored at all, so `limit` allowed hits come back even when forbidden
rows are the best matches.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from domain.retrieval.vectorstores.base import Access, FloatMatrix, VectorHit
from domain.visibility import Visibility

# Columns a snapshot needs besides the hit columns: the vector and the access rule's inputs.
ACCESS_COLUMNS = ["organization_id", "owner_id", "visibility", "vector"]


Span = tuple[int, int]  # rows [start, stop) of a snapshot


@dataclass(frozen=True)
class Snapshot:
    """The rows of one table version, vectors at unit length, grouped so that every set of
    rows a caller may see is one or two contiguous spans: sorted by organisation, then
    visibility (ORGANIZATION before PRIVATE), then owner."""

    version: int
    # Every row as a hit (score 0), in the order of `vectors`: built once at load, because
    # turning Arrow rows into hits per search cost as much as the search itself at 10k rows.
    hits: list[VectorHit]
    vectors: FloatMatrix
    organizations: dict[str, Span]  # every row of an organisation (what its ADMINs see)
    shared: dict[str, Span]  # an organisation's ORGANIZATION rows
    private: dict[tuple[str, str], Span]  # (organisation, owner) -> the owner's PRIVATE rows

    @classmethod
    def from_arrow(
        cls, version: int, table: pa.Table, hit: Callable[[dict[str, Any]], VectorHit]
    ) -> "Snapshot":
        """Build from every row of table version `version`: `ACCESS_COLUMNS` and the columns
        `hit` turns into a `VectorHit`."""
        # Sorted through an index rather than `table.sort_by`, which would copy every column
        # (vectors and texts included) once more at the peak of the load.
        keys = ("organization_id", "visibility", "owner_id")
        order = pc.sort_indices(table.select(keys), [(key, "ascending") for key in keys])
        organizations: dict[str, Span] = {}
        shared: dict[str, Span] = {}
        private: dict[tuple[str, str], Span] = {}
        sorted_keys = zip(*(table.column(key).take(order).to_pylist() for key in keys), strict=True)
        start = 0
        for (organization, visibility, owner), group in groupby(sorted_keys):
            stop = start + sum(1 for _ in group)
            first, _ = organizations.get(organization, (start, stop))
            organizations[organization] = (first, stop)
            if visibility == Visibility.ORGANIZATION:
                first, _ = shared.get(organization, (start, stop))
                shared[organization] = (first, stop)
            else:
                private[(organization, owner)] = (start, stop)
            start = stop
        positions = order.to_numpy()
        dimensions = table.schema.field("vector").type.list_size
        flat = pc.list_flatten(table.column("vector")).to_numpy()
        # Fancy indexing copies (Arrow's buffers are read-only), and the copy is normalised
        # in place: cosine similarity is the dot product of unit vectors.
        vectors = flat.reshape(-1, dimensions)[positions].astype(np.float32, copy=False)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        np.divide(vectors, norms, out=vectors, where=norms > 0)  # a zero vector stays zero
        rows = table.drop_columns(["vector"]).to_pylist()
        hits = [hit(rows[position]) for position in positions.tolist()]
        return cls(version, hits, vectors, organizations, shared, private)

    @property
    def size(self) -> int:
        """How many rows the snapshot holds."""
        return len(self.vectors)

    def visible_rows(self, access: Access) -> int:
        """How many rows `access` may see: what one search multiplies the query with."""
        return sum(stop - start for start, stop in self.visible(access))

    def visible(self, access: Access) -> list[Span]:
        """The spans of rows `access` may see."""
        organization = str(access.organization_id)
        spans = [
            self.organizations.get(organization)
            if access.is_admin
            else self.shared.get(organization),
        ]
        if not access.is_admin:
            spans.append(self.private.get((organization, str(access.user_id))))
        return [span for span in spans if span is not None]

    def search(self, vector: FloatMatrix, access: Access, limit: int) -> list[VectorHit]:
        """The `limit` visible rows most similar to `vector`, best first."""
        if limit < 1:
            return []
        norm = float(np.linalg.norm(vector))
        query = (vector / norm if norm > 0 else vector).astype(np.float32, copy=False)
        candidates: list[FloatMatrix] = []
        positions: list[np.ndarray[Any, np.dtype[np.intp]]] = []
        for start, stop in self.visible(access):
            scores: FloatMatrix = self.vectors[start:stop] @ query
            best = _top(scores, limit)
            candidates.append(scores[best])
            positions.append(best + start)
        if not candidates:
            return []
        scores = np.concatenate(candidates).astype(np.float32, copy=False)
        best = _top(scores, limit)
        rows = np.concatenate(positions)[best]
        return [
            replace(self.hits[row], score=float(score))
            for row, score in zip(rows.tolist(), scores[best].tolist(), strict=True)
        ]


def _top(scores: FloatMatrix, limit: int) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Indexes of the `limit` highest scores, best first (ties in index order)."""
    if len(scores) > limit:
        best = np.argpartition(-scores, limit - 1)[:limit]
    else:
        best = np.arange(len(scores))
    ranked: np.ndarray[Any, np.dtype[np.intp]] = best[np.argsort(-scores[best], kind="stable")]
    return ranked
