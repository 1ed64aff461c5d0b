"""An audit event's hash covers every column and the hash before it."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.audit.chain import GENESIS, event_hash

EVENT: dict[str, Any] = {
    "organization_id": uuid.UUID(int=1),
    "sequence": 1,
    "action": "user.login",
    "actor_id": uuid.UUID(int=2),
    "target_type": "user",
    "target_id": str(uuid.UUID(int=2)),
    "ip_address": "203.0.113.7",
    "request_id": "req-1",
    "details": {"role": "ADMIN"},
    "created_at": datetime(2026, 12, 3, 12, 0, 0, 123456, tzinfo=UTC),
    "previous_hash": GENESIS,
}


def test_the_same_event_always_hashes_the_same() -> None:
    assert event_hash(**EVENT) == event_hash(**dict(EVENT))
    assert len(event_hash(**EVENT)) == 64


@pytest.mark.parametrize(
    ("column", "other"),
    [
        ("organization_id", uuid.UUID(int=9)),
        ("sequence", 2),
        ("action", "user.logged_out"),
        ("actor_id", None),
        ("target_type", "document"),
        ("target_id", "x"),
        ("ip_address", "198.51.100.1"),
        ("request_id", "req-2"),
        ("details", {"role": "USER"}),
        ("created_at", datetime(2026, 12, 3, 12, 0, 0, 123457, tzinfo=UTC)),
        ("previous_hash", "f" * 64),
    ],
)
def test_changing_any_column_changes_the_hash(column: str, other: object) -> None:
    assert event_hash(**EVENT | {column: other}) != event_hash(**EVENT)


def test_key_order_in_details_does_not_matter() -> None:
    reordered = EVENT | {"details": {"b": 1, "a": 2}}
    assert event_hash(**reordered) == event_hash(**EVENT | {"details": {"a": 2, "b": 1}})
