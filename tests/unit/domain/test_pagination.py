"""Cursors and page sizes."""

import uuid
from datetime import UTC, datetime

import pytest

from domain.errors import InvalidInput
from domain.pagination import check_page_size, decode_cursor, encode_cursor


def test_a_cursor_round_trips() -> None:
    moment, row = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), uuid.uuid4()
    assert decode_cursor(encode_cursor(moment, row)) == (moment, row)


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGEgY3Vyc29y", "fA=="])
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
