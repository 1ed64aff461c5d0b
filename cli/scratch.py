"""Throw-away databases for generating migrations and for tests."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

import asyncpg

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"


@asynccontextmanager
async def scratch_postgres(server_url: str = DEFAULT_POSTGRES_URL) -> AsyncIterator[str]:
    """A new, empty database on the server of `server_url`, dropped afterwards."""
    name = "beacon_scratch_" + secrets.token_hex(6)
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = server_url.rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def scratch_sqlite() -> AsyncIterator[str]:
    """A SQLite file in a temporary directory, removed afterwards."""
    with TemporaryDirectory(prefix="beacon-scratch-") as folder:
        yield f"sqlite://{Path(folder) / 'scratch.sqlite3'}"
