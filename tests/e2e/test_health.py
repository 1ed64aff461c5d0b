"""Liveness, readiness and metrics through the ASGI app."""

from pathlib import Path

import asyncpg
import httpx
import pytest

from api.app import create_app
from cli.scratch import scratch_postgres, scratch_sqlite
from domain.bootstrap import Services
from domain.database import apply_migrations
from tests.conftest import make_settings
from tests.support.databases import POSTGRES_URL, TEST_DATABASE
from tests.support.graphql import GraphQLClient


async def test_a_migrated_database_is_ready(client: GraphQLClient) -> None:
    assert (await client.http.get("/healthz")).json() == {"status": "ok"}
    ready = await client.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_a_vector_store_that_stops_answering_makes_the_api_unready(
    client: GraphQLClient, services: Services
) -> None:
    await services.vectors.close()
    try:
        ready = await client.http.get("/readyz")
    finally:
        await services.vectors.start()
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "vectorStore": "unreachable"}
    assert (await client.http.get("/readyz")).status_code == 200


async def test_an_unmigrated_database_is_not_ready_and_names_the_pending_migrations(
    tmp_path: Path,
) -> None:
    async with scratch_sqlite() as url:
        settings = make_settings(tmp_path, url)
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://beacon.test") as http,
        ):
            ready = await http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["pendingMigrations"][0].startswith("0_")


async def test_a_database_that_goes_away_makes_the_api_unready(tmp_path: Path) -> None:
    if TEST_DATABASE != "postgres":
        pytest.skip("needs a server database to take away (runs in the PostgreSQL pass)")
    async with scratch_postgres(POSTGRES_URL) as url:
        await apply_migrations(url)
        app = create_app(make_settings(tmp_path, url))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://beacon.test"
            ) as http,
        ):
            assert (await http.get("/readyz")).status_code == 200
            admin = await asyncpg.connect(POSTGRES_URL)
            name = url.rsplit("/", 1)[1]
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await admin.close()
            ready = await http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "unreachable"}


async def test_metrics_count_requests_by_path(client: GraphQLClient) -> None:
    await client.execute("{ __typename }")
    text = (await client.http.get("/metrics")).text
    assert 'beacon_http_requests_total{path="/graphql",status="200"} 1.0' in text
