"""Which database the suite runs on, and how to reach it (or why it is skipped)."""

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import asyncpg

from cli.scratch import DEFAULT_POSTGRES_URL
from domain.database import Database

# One dialect per pytest process: Tortoise caches generated SQL on model classes.
TEST_DATABASE = os.environ.get("BEACON_TEST_DATABASE", "sqlite")
POSTGRES_URL = os.environ.get("BEACON_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
REDIS_URL = os.environ.get("BEACON_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def postgres_unreachable_reason() -> str | None:
    """None when the PostgreSQL server answers, else why not."""

    async def probe() -> None:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=3)
        await connection.close()

    try:
        # A thread of its own, so that this also works from inside a running event loop.
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(asyncio.run, probe()).result()
    except Exception as error:  # any failure to connect is a reason to skip
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({error!r})"
    return None


def redis_unreachable_reason() -> str | None:
    """None when the Redis server answers, else why not."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # any failure to connect is a reason to skip
        return f"Redis at {REDIS_URL} is not reachable ({error!r})"
    return None


@contextmanager
def redis_database(number: int) -> Iterator[str]:
    """A Redis database of the shared test server, empty before and after."""
    import redis

    url = REDIS_URL.rpartition("/")[0] + f"/{number}"
    redis.Redis.from_url(url).flushdb()
    try:
        yield url
    finally:
        redis.Redis.from_url(url).flushdb()


TABLES = [  # children first
    "audit_event",
    "audit_checkpoint",
    "organization_prompt",
    "feedback",
    "message",
    "conversation",
    "embedding_state",
    "oidc_provider",
    "chunk",
    "document_text",
    "document",
    "refresh_token",
    "user",
    "organization",
]


async def empty_tables(database: Database) -> None:
    """Delete every row of the application tables (the schema and migrations stay)."""
    connection = database.client()
    if TEST_DATABASE == "postgres":
        await connection.execute_script("TRUNCATE " + ", ".join(f'"{t}"' for t in TABLES))
    else:
        for table in TABLES:
            await connection.execute_script(f'DELETE FROM "{table}"')
