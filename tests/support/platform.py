"""The whole embedded platform in one test process: API app, worker threads, shared events."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from api.app import create_app
from domain.bootstrap import Adapters, Services
from domain.settings import Settings
from tests.support.databases import empty_tables
from tests.support.graphql import GraphQLClient
from workers.runtime import WorkerRuntime, build_process


@dataclass
class Platform:
    """What a test drives: the GraphQL client, the API's services and the worker runtime."""

    client: GraphQLClient
    services: Services
    runtime: WorkerRuntime


@asynccontextmanager
async def running_platform(
    settings: Settings, adapters: Adapters | None = None
) -> AsyncIterator[Platform]:
    """Empty tables, then services and an in-process worker the way `beacon serve` does."""
    runtime, services = build_process(settings, adapters)
    await services.start()
    await empty_tables(services.database)
    await asyncio.to_thread(runtime.start)
    app = create_app(settings, services, manage_services=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://beacon.test") as http:
            yield Platform(GraphQLClient(http), services, runtime)
    finally:
        await asyncio.to_thread(runtime.stop)
        await services.close()
