"""`create_app(settings)`: the Starlette application serving Beacon's GraphQL edge."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

from api import health
from api.middleware import HttpGuards, Metrics, MetricsMiddleware, RequestId
from api.schema import create_schema
from api.view import BeaconGraphQL
from domain.bootstrap import Services, build_services
from domain.settings import Settings


def create_app(settings: Settings, services: Services | None = None) -> Starlette:
    """Build the app; without `services`, its lifespan builds and connects its own."""
    owns_services = services is None
    services = services or build_services(settings)
    graphql = BeaconGraphQL(create_schema(settings), services, settings)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if owns_services:
            await services.start()
        try:
            yield
        finally:
            if owns_services:
                await services.close()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", health.healthz),
            Route("/readyz", health.readyz),
            Route("/metrics", health.metrics),
        ],
        middleware=[
            Middleware(RequestId),
            Middleware(MetricsMiddleware, metrics=metrics),
            Middleware(
                HttpGuards,
                max_json_bytes=settings.max_request_bytes,
                max_upload_bytes=settings.max_upload_bytes,
                timeout=settings.request_timeout_seconds,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.metrics = metrics
    return app
