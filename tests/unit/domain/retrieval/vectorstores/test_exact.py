"""The exact snapshot ranks by cosine similarity over exactly the rows a caller may see."""

import uuid
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from domain.retrieval.vectorstores.base import Access, VectorHit
from domain.retrieval.vectorstores.exact import Snapshot
from domain.visibility import Visibility

ORG, OTHER_ORG = uuid.uuid4(), uuid.uuid4()
ALICE, BOB, ADMIN = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def snapshot(rows: list[tuple[str, uuid.UUID, uuid.UUID, str, list[float]]]) -> Snapshot:
    """Rows of (name, organisation, owner, visibility, vector), in no particular order."""
    table = pa.table(
        {
            "id": [name for name, *_ in rows],
            "organization_id": [str(row[1]) for row in rows],
            "owner_id": [str(row[2]) for row in rows],
            "visibility": [row[3] for row in rows],
            "vector": pa.array([row[4] for row in rows], type=pa.list_(pa.float32(), 2)),
        }
    )
    return Snapshot.from_arrow(7, table, named_hit)


def named_hit(row: dict[str, Any]) -> VectorHit:
    """A hit carrying the row's name as its text."""
    return VectorHit(uuid.uuid4(), uuid.uuid4(), 1, 0, row["id"], 0.0, None, [])


def names(found: Snapshot, access: Access, vector: list[float], limit: int = 10) -> list[str]:
    query = np.array(vector, dtype=np.float32)
    return [hit.text for hit in found.search(query, access, limit)]


ROWS = [
    ("bob-private", ORG, BOB, Visibility.PRIVATE, [1.0, 0.0]),
    ("shared-near", ORG, BOB, Visibility.ORGANIZATION, [0.9, 0.1]),
    ("other-org", OTHER_ORG, ALICE, Visibility.ORGANIZATION, [1.0, 0.0]),
    ("alice-private", ORG, ALICE, Visibility.PRIVATE, [0.5, 0.5]),
    ("shared-far", ORG, ALICE, Visibility.ORGANIZATION, [0.0, 1.0]),
]


def test_a_member_sees_shared_rows_and_their_own_private_ones_best_first() -> None:
    found = snapshot(ROWS)

    assert names(found, Access(ORG, ALICE, is_admin=False), [1.0, 0.0]) == [
        "shared-near",
        "alice-private",
        "shared-far",
    ]


def test_an_admin_sees_every_row_of_the_organisation_and_no_other() -> None:
    found = snapshot(ROWS)

    assert names(found, Access(ORG, ADMIN, is_admin=True), [1.0, 0.0]) == [
        "bob-private",
        "shared-near",
        "alice-private",
        "shared-far",
    ]


def test_the_limit_keeps_the_best_visible_rows() -> None:
    found = snapshot(ROWS)

    assert names(found, Access(ORG, BOB, is_admin=False), [1.0, 0.0], limit=2) == [
        "bob-private",
        "shared-near",
    ]


def test_an_organisation_without_rows_finds_nothing() -> None:
    found = snapshot(ROWS)

    assert names(found, Access(uuid.uuid4(), ADMIN, is_admin=True), [1.0, 0.0]) == []


def test_scores_are_cosine_similarities_whatever_the_lengths() -> None:
    found = snapshot([("long", ORG, ALICE, Visibility.ORGANIZATION, [3.0, 4.0])])

    [hit] = found.search(np.array([0.0, 10.0], dtype=np.float32), Access(ORG, ALICE, False), 1)

    assert hit.score == pytest.approx(0.8, abs=1e-6)


def test_zero_vectors_score_zero_instead_of_failing() -> None:
    found = snapshot([("zero", ORG, ALICE, Visibility.ORGANIZATION, [0.0, 0.0])])

    [hit] = found.search(np.array([0.0, 0.0], dtype=np.float32), Access(ORG, ALICE, False), 1)

    assert hit.score == 0.0
