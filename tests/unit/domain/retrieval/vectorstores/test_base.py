"""The port's records check themselves, so no adapter repeats the checks (or forgets one)."""

import uuid
from typing import Any

import numpy as np
import pytest

from domain.retrieval.vectorstores.base import VectorBatch, VectorRecord, checked_vector
from domain.visibility import Visibility

DOCUMENT = uuid.UUID("0f000000-0000-4000-8000-000000000001")


def record(index: int = 0, **fields: Any) -> VectorRecord:
    values: dict[str, Any] = {
        "id": uuid.uuid5(DOCUMENT, f"1:{index}"),
        "organization_id": uuid.uuid4(),
        "document_id": DOCUMENT,
        "version": 1,
        "chunk_index": index,
        "visibility": Visibility.ORGANIZATION,
        "owner_id": uuid.uuid4(),
        "text": "a chunk",
        "vector": [1.0, 0.0, 0.0],
    }
    return VectorRecord(**(values | fields))


@pytest.mark.parametrize("name", ["id", "organization_id", "document_id", "owner_id"])
def test_a_record_refuses_an_id_that_is_not_a_uuid(name: str) -> None:
    with pytest.raises(TypeError, match=name):
        record(**{name: "0a000000-0000-4000-8000-000000000001' OR '1'='1"})


@pytest.mark.parametrize("visibility", ["PUBLIC", "ORGANIZATION", None])
def test_a_record_refuses_a_visibility_that_is_not_the_enum(visibility: object) -> None:
    with pytest.raises(ValueError, match="unknown visibility"):
        record(visibility=visibility)


def test_a_batch_holds_the_vectors_as_one_float32_matrix_in_record_order() -> None:
    records = [record(0, vector=[1.0, 2.0, 3.0]), record(1, vector=[4.0, 5.0, 6.0])]

    batch = VectorBatch.of(records, 3)

    assert batch.records == records
    assert batch.vectors.dtype == np.float32
    assert batch.vectors.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_an_empty_batch_is_allowed() -> None:
    assert VectorBatch.of([], 3).vectors.shape == (0, 3)


def test_a_batch_refuses_an_id_named_twice() -> None:
    with pytest.raises(ValueError, match="distinct ids"):
        VectorBatch.of([record(0), record(0)], 3)


def test_a_batch_refuses_a_vector_of_another_size() -> None:
    with pytest.raises(ValueError, match="expected 3 dimensions, got 2"):
        VectorBatch.of([record(0), record(1, vector=[1.0, 0.0])], 3)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e300])
def test_a_vector_must_be_finite_as_float32(value: float) -> None:
    with pytest.raises(ValueError, match="NaN or infinity"):
        checked_vector([value, 0.0, 0.0], 3)
