"""Pure ASGI middleware: request ids, access lines, body size caps, deadlines and metrics."""

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import Callable

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.audit.origin import Origin, request_origin
from domain.logs import log_context

log = structlog.get_logger("beacon.access")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_PROBES = ("/healthz", "/readyz", "/metrics")
_ROUTES = ("/graphql", *_PROBES)  # metric labels: other paths count as "other"


class RequestId:
    """Tag every request with an id (the caller's if it is sane), echoed as `x-request-id`,
    bound to every line logged while it runs, and make it and the client address the
    request's audit origin."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set `scope['state']['request_id']` and add the response header."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        client = scope.get("client")
        # The audit trail records where each action came from (see domain/audit/origin.py).
        with (
            request_origin(Origin(client[0] if client else None, request_id)),
            log_context(request_id=request_id),
        ):
            await self.app(scope, receive, send_with_id)


class AccessLog:
    """One line per HTTP request (method, path, status and duration, with what the request
    bound on the way: request id, user, organisation, GraphQL operation), and its count and
    latency in the HTTP metrics by route."""

    def __init__(self, app: ASGIApp, metrics: "Metrics") -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time `http` scopes (websockets log their operations instead)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets when the app fails before answering
        started = time.perf_counter()

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            # Probes and scrapes come every few seconds: only worth a line when debugging.
            level = logging.DEBUG if scope["path"] in _PROBES else logging.INFO
            seconds = time.perf_counter() - started
            log.log(
                level,
                "http request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round(seconds * 1000, 1),
            )
            route = scope["path"] if scope["path"] in _ROUTES else "other"
            self.metrics.requests.labels(route, str(status)).inc()
            self.metrics.latency.labels(route).observe(seconds)


class _TooLarge(Exception):
    pass


class _ResponseTracker:
    """Remembers whether a response has started, so a late failure cannot send a second one;
    `on_start` runs when it does."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self.on_start: Callable[[], None] = lambda: None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.on_start()
        await self._send(message)


async def _send_json_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HttpGuards:
    """Cap body sizes while they stream (413) and give every HTTP request a deadline (504).

    Under `streaming_prefixes` (file downloads) the deadline ends once the response starts:
    a large file to a slow client may take longer than any request should to be answered.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_json_bytes: int,
        max_upload_bytes: int,
        timeout: float,
        streaming_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes
        self.timeout = timeout
        self.streaming_prefixes = streaming_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Enforce the caps on `http` scopes; pass everything else through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.max_upload_bytes if multipart else self.max_json_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json_error(send, 413, f"Request body over {limit} bytes.")
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # also catches chunked bodies that declared nothing
                    raise _TooLarge
            return message

        tracker = _ResponseTracker(send)
        try:
            async with asyncio.timeout(self.timeout) as deadline:
                if scope["path"].startswith(self.streaming_prefixes):
                    tracker.on_start = lambda: deadline.reschedule(None)
                await self.app(scope, counting_receive, tracker)
        except _TooLarge:
            if not tracker.started:
                await _send_json_error(send, 413, f"Request body over {limit} bytes.")
        except TimeoutError:
            if not tracker.started:
                await _send_json_error(send, 504, "The request took too long.")


class Metrics:
    """Prometheus metrics of one app, on a registry of its own (no process globals)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "beacon_http_requests_total",
            "HTTP requests.",
            ["path", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "beacon_http_request_seconds", "HTTP request latency.", ["path"], registry=self.registry
        )
