"""Which SQL dialect, and so which migration tree, serves a database URL: what the settings
check a URL against and the database layer picks its migrations by."""

from typing import Literal

Dialect = Literal["sqlite", "postgres"]

# Database URL schemes, by the dialect that serves them.
DIALECTS: dict[str, Dialect] = {
    "sqlite": "sqlite",
    "postgres": "postgres",
    "asyncpg": "postgres",
    "psql": "postgres",
}


def dialect_of(database_url: str) -> Dialect:
    """Which migration tree serves this database URL."""
    scheme = database_url.split("://", 1)[0]
    if scheme in DIALECTS:
        return DIALECTS[scheme]
    raise ValueError(f"unsupported scheme {scheme!r}: use sqlite:// or postgres://")
