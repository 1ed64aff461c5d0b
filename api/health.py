"""Liveness, readiness and metrics endpoints."""

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.middleware import Metrics
from domain.bootstrap import Services
from domain.metrics import METRICS


async def healthz(request: Request) -> Response:
    """The process is up and serving."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when the database and the vector store answer and every shipped migration is
    applied (without the vector store, search and answers fail)."""
    services: Services = request.app.state.services
    if not await services.database.ping():
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not await services.vectors.ready():
        return JSONResponse(
            {"status": "unavailable", "vectorStore": "unreachable"}, status_code=503
        )
    pending = await services.database.pending_migrations()
    if pending:
        return JSONResponse(
            {"status": "unavailable", "pendingMigrations": pending}, status_code=503
        )
    return JSONResponse({"status": "ready"})


async def metrics(request: Request) -> Response:
    """Prometheus text format: the app's HTTP metrics and the process's Beacon metrics (with
    the in-process worker's on the embedded default)."""
    http: Metrics = request.app.state.metrics
    body = generate_latest(http.registry) + generate_latest(METRICS.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
