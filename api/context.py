"""The per-request (or per-websocket) context every resolver receives."""

from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from api.errors import Unauthenticated
from api.loaders import Loaders
from domain.bootstrap import Services
from domain.identity.principal import Principal


@dataclass
class Context:
    """Who is asking, through which request, with which services and loaders."""

    request: Request | WebSocket
    services: Services
    request_id: str
    loaders: Loaders
    # HTTP only: the response the resolvers add headers to (the refresh-token cookie).
    response: Response | None = None
    principal: Principal | None = None
    auth_error: str | None = None
    bearer_token: str | None = None  # websockets check it again before every operation
    token_expires_at: datetime | None = None
    # websockets: the connection_init payload, a JSON object as the client sent it
    connection_params: dict[str, object] | None = field(default=None)

    @property
    def client_address(self) -> str | None:
        """The peer address, for throttling (a proxy in front must set it faithfully)."""
        client = self.request.client
        return client.host if client else None

    def require_principal(self) -> Principal:
        """The signed-in caller, or an UNAUTHENTICATED error."""
        if self.principal is None:
            raise Unauthenticated(self.auth_error or "Sign in first.")
        return self.principal


Info = StrawberryInfo[Context, None]
