"""Where the current request comes from, for audit events: set once by the API edge, read by
the domain wherever it records, without threading two strings through every service call."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """The client address (after trusted proxies) and the request id."""

    ip_address: str | None = None
    request_id: str | None = None


_current: ContextVar[Origin] = ContextVar("beacon_audit_origin", default=Origin())  # noqa: B039 - frozen


def current_origin() -> Origin:
    """The origin of the request being served; empty in workers and the CLI."""
    return _current.get()


@contextmanager
def request_origin(origin: Origin) -> Iterator[None]:
    """Make `origin` current for the block (and the tasks it starts)."""
    token = _current.set(origin)
    try:
        yield
    finally:
        _current.reset(token)
