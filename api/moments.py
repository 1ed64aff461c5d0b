"""Moments clients pass as arguments: a DateTime without a timezone is refused, not guessed."""

from datetime import datetime

from api.errors import BadUserInput


def with_timezone(moment: datetime | None, field: str) -> datetime | None:
    """The moment as given; a clear error if it carries no offset.

    Which instant a local time means depends on where the server runs, and PostgreSQL's
    `timestamptz` refuses to compare with one at all: ask the client for the offset."""
    if moment is not None and moment.utcoffset() is None:
        raise BadUserInput(
            f"Give '{field}' with its timezone, e.g. 2026-01-01T00:00:00Z.", field=field
        )
    return moment
