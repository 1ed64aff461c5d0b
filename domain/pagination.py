"""Keyset pagination over (sort key, id) in either direction, with opaque Relay cursors.

A cursor names the last row seen by its sort-key value and id, and the ordering it was
issued for: the next page is the rows strictly beyond that (key, id) pair, so rows added
or removed meanwhile never shift a page (no OFFSET), and ties on the key are broken by the
id in the same direction, so every row appears exactly once.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pypika_tortoise.terms import Term
from tortoise.expressions import Expression, Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain.errors import InvalidInput

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
M = TypeVar("M", bound=Model)
KeyValue = datetime | str | int


class Direction(StrEnum):
    """Which way a list runs."""

    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True)
class Ordering:
    """Rows by one sort key, then by id, both in `direction`.

    `key` is a model field, or the name under which `computed()` is annotated when the
    order is not a column (a rank, a lower-cased title); cursors then carry the value the
    database computed, so keyset comparisons agree with the database's own ordering.
    """

    key: str
    direction: Direction = Direction.ASC
    computed: Callable[[], Expression | Term] | None = field(default=None, compare=False)
    key_type: type[datetime] | type[str] | type[int] = datetime

    @property
    def name(self) -> str:
        """How cursors name this ordering, e.g. `created_at desc`."""
        return f"{self.key} {self.direction}"


OLDEST_FIRST = Ordering("created_at")
NEWEST_FIRST = Ordering("created_at", Direction.DESC)


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page of rows, in the requested order, with what a Relay connection needs."""

    items: list[M]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


@dataclass(frozen=True)
class Position:
    """Where a cursor points: the ordering it belongs to and the last row's key and id."""

    ordering: str
    key: KeyValue
    row_id: uuid.UUID


def encode_cursor(ordering: Ordering, key: KeyValue, row_id: uuid.UUID) -> str:
    """An opaque cursor naming one row's position in one ordering."""
    value: object = {"datetime": key.isoformat()} if isinstance(key, datetime) else key
    raw = json.dumps({"order": ordering.name, "key": value, "id": str(row_id)})
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; a cursor that was not ours is an `InvalidInput`."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        key = data["key"]
        if isinstance(key, dict):
            key = datetime.fromisoformat(key["datetime"])
        if not isinstance(data["order"], str) or not isinstance(key, KeyValue):
            raise ValueError("not a cursor")
        return Position(data["order"], key, uuid.UUID(data["id"]))
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidInput("after", "Not a valid cursor.") from error


def check_page_size(first: int | None) -> int:
    """`first` within 1..100, defaulting to 20."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput("first", f"first must be between 1 and {MAX_PAGE_SIZE}.")
    return first


async def paginate(
    query: QuerySet[M], first: int | None, after: str | None, ordering: Ordering = OLDEST_FIRST
) -> Page[M]:
    """Rows of `query` after the cursor, by (key, id) in the ordering's direction."""
    size = check_page_size(first)
    key = ordering.key
    if ordering.computed is not None:
        query = query.annotate(**{key: ordering.computed()})
    if after is not None:
        query = query.filter(_beyond(ordering, _position(after, ordering)))
    sign = "-" if ordering.direction is Direction.DESC else ""
    rows = await query.order_by(f"{sign}{key}", f"{sign}id").limit(size + 1)
    items = rows[:size]
    cursors = [encode_cursor(ordering, _key_of(row, key), row.pk) for row in items]
    return Page(
        items=items,
        cursors=cursors,
        has_next_page=len(rows) > size,
        has_previous_page=after is not None,
    )


def _position(after: str, ordering: Ordering) -> Position:
    position = decode_cursor(after)
    if position.ordering != ordering.name:
        raise InvalidInput(
            "after",
            "This cursor belongs to a list in another order: "
            "page with the same order as the page it came from.",
        )
    # A cursor we issued for this order always holds this type (and ints are small ranks);
    # anything else was made up, and would fail inside the database instead of here.
    key = position.key
    if type(key) is not ordering.key_type or (isinstance(key, int) and abs(key) >= 2**31):
        raise InvalidInput("after", "Not a valid cursor.")
    return position


def _beyond(ordering: Ordering, position: Position) -> Q:
    """Rows strictly after `position`: a further key, or the same key and a further id."""
    step = "lt" if ordering.direction is Direction.DESC else "gt"
    further: dict[str, Any] = {f"{ordering.key}__{step}": position.key}
    tied: dict[str, Any] = {ordering.key: position.key, f"id__{step}": position.row_id}
    return Q(**further) | Q(**tied)


def _key_of(row: Model, key: str) -> KeyValue:
    value = getattr(row, key)
    if not isinstance(value, KeyValue):
        raise TypeError(f"{key} cannot key a cursor: {value!r}")
    return value
