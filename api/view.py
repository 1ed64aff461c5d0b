"""Strawberry's ASGI view, bound to Beacon's context, authentication and upload rules."""

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from api.authentication import authenticate
from api.context import Context
from api.loaders import build_loaders
from api.websocket import SessionBoundHandler
from domain.bootstrap import Services
from domain.settings import Settings

# Browsers never send these on a "simple" cross-site request, so requiring one on multipart
# bodies stops CSRF uploads (the GraphQL multipart spec's advice).
PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")
_COUNTED_USER = "beacon_websocket_user"


class BeaconGraphQL(GraphQL[Context, None]):
    """`/graphql` over HTTP and graphql-transport-ws."""

    graphql_transport_ws_handler_class = SessionBoundHandler

    def __init__(
        self,
        schema: BaseSchema,
        services: Services,
        settings: Settings,
        graphiql: Callable[[], Awaitable[Response]],
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.websocket_init_timeout_seconds),
            multipart_uploads_enabled=True,
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        )
        self._services = services
        self._graphiql = graphiql
        self._max_websockets_per_user = settings.max_websockets_per_user
        self._open_websockets: Counter[uuid.UUID] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve, then release the websocket's place in its user's connection budget."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            user_id = scope.get("state", {}).get(_COUNTED_USER)
            if user_id is not None:
                self._open_websockets[user_id] -= 1
                if self._open_websockets[user_id] <= 0:
                    del self._open_websockets[user_id]

    # One signature for the base class's two overloads (HTTP and websocket requests).
    async def run(  # type: ignore[override]
        self, request: Request | WebSocket, context: Context = UNSET, root_value: None = UNSET
    ) -> Response | WebSocket:
        """Serve, then close the request's uploaded files: an operation refused before its
        resolver runs (not signed in, invalid input) never reads or closes them."""
        try:
            return await super().run(request, context, root_value)
        finally:
            if isinstance(request, Request):
                await request.close()

    async def render_graphql_ide(self, request: Request) -> Response:
        """Beacon's own GraphiQL build, never Strawberry's page, which loads it from a CDN."""
        return await self._graphiql()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """A fresh context; HTTP requests authenticate from their Authorization header."""
        context = Context(
            request=request,
            services=self._services,
            request_id=request.scope.get("state", {}).get("request_id", "-"),
            loaders=build_loaders(self._services),
            response=response if isinstance(response, Response) else None,
        )
        if isinstance(request, Request):
            header = request.headers.get("authorization")
            if header is not None:
                await authenticate(context, header)
        return context

    async def on_ws_connect(self, context: Context) -> None:
        """`connection_init` must carry `authorization: Bearer <token>`; otherwise close 4403."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if not isinstance(header, str):
            raise ConnectionRejectionError({"reason": "authorization missing"})
        await authenticate(context, header)
        if context.principal is None:
            raise ConnectionRejectionError({"reason": context.auth_error or "unauthenticated"})
        user_id = context.principal.user_id
        if self._open_websockets[user_id] >= self._max_websockets_per_user:
            raise ConnectionRejectionError({"reason": "too many open connections"})
        self._open_websockets[user_id] += 1
        context.request.scope.setdefault("state", {})[_COUNTED_USER] = user_id

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> dict[str, str]:
        """Multipart requests must prove they passed a CORS preflight."""
        if not any(request.headers.get(name) for name in PREFLIGHT_HEADERS):
            raise HTTPException(
                400,
                "Multipart requests need an 'apollo-require-preflight' or "
                "'x-apollo-operation-name' header.",
            )
        return await super().parse_multipart(request)
