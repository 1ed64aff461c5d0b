"""`create_app(settings)`: the Starlette application serving Beacon's GraphQL edge."""

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

from api import files, health
from api.identity import oidc_routes
from api.middleware import AccessLog, HttpGuards, Metrics, RequestId
from api.schema import create_schema
from api.view import BeaconGraphQL
from api.web import WebApp
from domain.bootstrap import Services, StartupFailed, build_services
from domain.settings import Settings

log = logging.getLogger(__name__)

# Paths the web app never answers for, even where no API route matches (a mistyped API path
# must be a 404, not the app's page).
API_PREFIXES = ("/graphql", "/healthz", "/readyz", "/metrics", files.PREFIX, oidc_routes.PREFIX)


class Background(Protocol):
    """Something that runs beside the API for the app's lifetime (the in-process worker)."""

    def start(self) -> None:
        """Start (may block briefly; called in a thread)."""

    def stop(self) -> None:
        """Stop and wait (called in a thread)."""


def _said_in_one_line(record: logging.LogRecord) -> bool:
    """False for the traceback of a `StartupFailed`, which Starlette hands uvicorn as one log
    record after the lifespan has said the cause in one line: a store that cannot be reached
    is foreseeable, not a crash. Any other failure keeps its traceback."""
    text = str(record.msg)
    failed_start = f"{StartupFailed.__module__}.{StartupFailed.__name__}:"
    return not (text.startswith("Traceback") and failed_start in text)


def create_app(
    settings: Settings,
    services: Services | None = None,
    *,
    manage_services: bool | None = None,
    background: Sequence[Background] = (),
) -> Starlette:
    """Build the app.

    Without `services` it builds its own; `manage_services` (default: when it built them)
    makes the lifespan start and close them, and `background` runs beside the API.
    """
    owns_services = services is None if manage_services is None else manage_services
    services = services or build_services(settings)
    web = WebApp(settings.web_dist, api_prefixes=API_PREFIXES)
    graphql = BeaconGraphQL(create_schema(settings), services, settings, graphiql=web.graphiql)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if owns_services:
            try:
                await services.start()
            except StartupFailed as error:
                log.error("beacon cannot start: %s", error)
                logging.getLogger("uvicorn.error").addFilter(_said_in_one_line)
                raise
        # The API embeds queries: its model loads now, beside the worker's start (which
        # shares it on the embedded default), rather than on the first search.
        await asyncio.gather(
            services.embedder.start(), *(asyncio.to_thread(task.start) for task in background)
        )
        try:
            yield
        finally:
            for task in reversed(background):
                await asyncio.to_thread(task.stop)
            if owns_services:
                await services.close()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", health.healthz),
            Route("/readyz", health.readyz),
            Route("/metrics", health.metrics),
            files.ROUTE,
            *oidc_routes.ROUTES,
            # Last: the web app takes every other GET path (its deep links).
            *web.routes(),
        ],
        middleware=[
            # Outermost: every request's trace starts here (and continues an incoming one).
            Middleware(OpenTelemetryMiddleware),
            Middleware(RequestId),
            Middleware(AccessLog, metrics=metrics),
            Middleware(
                HttpGuards,
                max_json_bytes=settings.max_request_bytes,
                max_upload_bytes=settings.max_upload_bytes,
                timeout=settings.request_timeout_seconds,
                streaming_prefixes=(files.PREFIX + "/",),
            ),
        ],
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.metrics = metrics
    return app
