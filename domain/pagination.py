"""Keyset pagination over (created_at, id), with opaque cursors for Relay connections."""

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain.errors import InvalidInput

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page of rows, oldest first, with what a Relay connection needs."""

    items: list[M]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    """An opaque cursor naming one row's position."""
    raw = f"{created_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor names; a cursor that was not ours is an `InvalidInput`."""
    try:
        created_at, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(created_at), uuid.UUID(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidInput("after", "Not a valid cursor.") from error


def check_page_size(first: int | None) -> int:
    """`first` within 1..100, defaulting to 20."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput("first", f"first must be between 1 and {MAX_PAGE_SIZE}.")
    return first


async def paginate(query: QuerySet[M], first: int | None, after: str | None) -> Page[M]:
    """Rows of `query` after the cursor, in (created_at, id) order."""
    size = check_page_size(first)
    if after is not None:
        created_at, row_id = decode_cursor(after)
        query = query.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=row_id))
    rows = await query.order_by("created_at", "id").limit(size + 1)
    items = rows[:size]
    cursors = [encode_cursor(row.created_at, row.pk) for row in items]  # type: ignore[attr-defined]
    return Page(
        items=items,
        cursors=cursors,
        has_next_page=len(rows) > size,
        has_previous_page=after is not None,
    )
