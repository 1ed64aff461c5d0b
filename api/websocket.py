"""graphql-transport-ws connections that live only as long as their user's session.

The token is checked at `connection_init`, again before every operation (as every HTTP request
checks it), and by a watcher that closes the socket when the token expires (4401) or when the
user's sessions end (4403): logout, a password change or a deactivation publishes on the session
notifications, which reach every API process through Redis when it is configured. The watcher
also re-reads the account every `websocket_recheck_seconds`, in case a notification was lost.
"""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from api.authentication import SessionEnded, recheck
from api.context import Context

log = logging.getLogger(__name__)

REASONS = {
    SessionEnded.EXPIRED: "The access token has expired.",
    SessionEnded.WITHDRAWN: "The session has ended.",
}
_SERVER_ERROR = 1011  # RFC 6455: the server cannot go on (the account could not be read)


class SessionBoundHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """Strawberry's protocol handler, bound to the session of the user who connected."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watcher: asyncio.Task[None] | None = None
        self._ending = False

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Acknowledge as Strawberry does, then start following the session."""
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._watcher is None:
            self._watcher = asyncio.create_task(self._follow_session())

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """Every operation runs for the account as it is now, or the socket closes."""
        if self._ending:
            return
        if self.connection_acknowledged:
            try:
                ended = await recheck(self.context)
            except Exception:  # the account cannot be read: never run on a stale principal
                log.exception("websocket: cannot re-check the session")
                await self._end(_SERVER_ERROR, "Try again.")
                return
            if ended is not None:
                await self._end(ended, REASONS[ended])
                return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        """Stop the watcher with the connection."""
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await super().shutdown()

    async def _follow_session(self) -> None:
        principal = self.context.principal
        assert principal is not None  # acknowledged connections are signed in
        interval = self.context.services.settings.websocket_recheck_seconds
        events = self.context.services.session_events
        async with events.subscribe(principal.user_id) as sessions_ended:
            while True:
                expires_at = self.context.token_expires_at or datetime.now(UTC)
                left = (expires_at - datetime.now(UTC)).total_seconds()
                if left > 0:
                    await sessions_ended.wait(min(left, interval))
                try:
                    ended = await recheck(self.context)
                except Exception:  # a database blip: keep the socket, look again soon
                    log.exception("websocket: cannot re-check the session")
                    continue
                if ended is not None:
                    await self._end(ended, REASONS[ended])
                    return

    async def _end(self, code: int, reason: str) -> None:
        """Stop the operations first, so none writes to the socket after the close."""
        if self._ending:
            return
        self._ending = True
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with contextlib.suppress(RuntimeError):  # the peer closed it first
            await self.websocket.close(code=code, reason=reason)
