"""Cursors and page sizes."""

import base64
import uuid
from datetime import UTC, datetime

import pytest

from domain.errors import InvalidInput
from domain.pagination import (
    NEWEST_FIRST,
    Direction,
    KeyValue,
    Ordering,
    Position,
    check_page_size,
    decode_cursor,
    encode_cursor,
)


@pytest.mark.parametrize(
    ("ordering", "key"),
    [
        (NEWEST_FIRST, datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC)),
        (Ordering("title_key", key_type=str), 'Ünïcode | \\ % _ "quoted"'),
        (Ordering("status_rank", Direction.DESC, key_type=int), 3),
    ],
)
def test_a_cursor_round_trips_with_its_ordering(ordering: Ordering, key: KeyValue) -> None:
    row = uuid.uuid4()
    assert decode_cursor(encode_cursor(ordering, key, row)) == Position(ordering.name, key, row)


def test_a_cursor_names_the_direction_of_its_ordering() -> None:
    assert Ordering("title_key").name != Ordering("title_key", Direction.DESC).name


ROW = b"0a2b7ab1-e677-4a43-96c2-1359f4271d43"


# The last are a cursor of the earlier (created_at|id) format, and a key of a type never issued.
@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        "bm90IGEgY3Vyc29y",
        "fA==",
        base64.urlsafe_b64encode(b"2026-01-02T03:04:05+00:00|" + ROW).decode(),
        base64.urlsafe_b64encode(
            b'{"order": "title asc", "key": [1], "id": "' + ROW + b'"}'
        ).decode(),
    ],
)
def test_a_foreign_cursor_is_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(cursor)
    assert refused.value.field == "after"


@pytest.mark.parametrize("first", [0, -1, 101])
def test_page_sizes_outside_1_to_100_are_refused(first: int) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 100"):
        check_page_size(first)


def test_the_page_size_defaults_to_20() -> None:
    assert check_page_size(None) == 20
