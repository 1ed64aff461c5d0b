"""Shared fixtures: settings, a migrated database, services, and an in-process HTTP client."""

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from cli.scratch import scratch_postgres, scratch_sqlite
from domain.bootstrap import Services, build_services
from domain.database import apply_migrations
from domain.settings import Settings
from tests.support.databases import (
    POSTGRES_URL,
    TEST_DATABASE,
    empty_tables,
    postgres_unreachable_reason,
)
from tests.support.graphql import GraphQLClient
from tests.support.services import require

TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "service", "integration", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each test carries its tier's marker, from its folder, so `-m unit` runs one tier.

    Each pass skips what the other covers: the PostgreSQL pass skips tests whose servers
    run the embedded default anyway, the SQLite pass skips the fuzzer (minutes of CI, run
    once, on production's database, the stricter about what text it stores)."""
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        if folder in TIERS:
            item.add_marker(folder)
    if TEST_DATABASE == "postgres":
        marker = "embedded_process"
        reason = "runs `beacon` on the embedded default: the SQLite pass covers it"
    else:
        marker = "fuzzing"
        reason = "the fuzzer runs in the PostgreSQL pass (BEACON_TEST_DATABASE=postgres)"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if marker in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A database migrated once for the whole session, on the dialect under test."""
    if TEST_DATABASE == "postgres":
        reason = postgres_unreachable_reason()
        if reason:
            require(reason)
        scratch = scratch_postgres(POSTGRES_URL)
    else:
        scratch = scratch_sqlite()
    runner = asyncio.Runner()
    url = runner.run(scratch.__aenter__())
    runner.run(apply_migrations(url))
    yield url
    runner.run(scratch.__aexit__(None, None, None))
    runner.close()


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    """Test settings: fast bcrypt, a random secret, everything else as shipped."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": secrets.token_urlsafe(48),
        "bcrypt_rounds": 4,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for one test."""
    return make_settings(tmp_path, database_url)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """Connected services on an empty database."""
    built = build_services(settings)
    await built.start()
    await empty_tables(built.database)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def client(settings: Settings, services: Services) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client talking to the ASGI app in-process."""
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://beacon.test") as http:
        yield GraphQLClient(http)
