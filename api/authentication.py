"""Who a request or websocket acts for: the bearer token checked against the account's state."""

from datetime import UTC, datetime
from enum import IntEnum

import structlog

from api.context import Context
from api.loaders import build_loaders
from domain.errors import AuthenticationFailed
from domain.identity.principal import Principal


class SessionEnded(IntEnum):
    """Why a websocket's session is over: the close codes of graphql-transport-ws."""

    EXPIRED = 4401  # sign in again (or refresh) and reconnect
    WITHDRAWN = 4403  # logged out, password changed, account deactivated: access was withdrawn


async def authenticate(context: Context, header: str) -> None:
    """Set the context's principal from an `Authorization` value, or say why not."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        context.auth_error = "Use 'Authorization: Bearer <access token>'."
        return
    context.bearer_token = token.strip()
    await _verify(context, context.bearer_token)


async def recheck(context: Context) -> SessionEnded | None:
    """Check a websocket's token again, as each HTTP request does: None while it still works
    (the principal and loaders are then fresh, so a role change applies to the next operation),
    else why it stopped."""
    expires_at = context.token_expires_at
    if context.bearer_token is None or expires_at is None:
        return SessionEnded.WITHDRAWN
    if expires_at <= datetime.now(UTC):
        return SessionEnded.EXPIRED
    context.loaders = build_loaders(context.services)
    await _verify(context, context.bearer_token)
    if context.principal is None:
        expired = expires_at <= datetime.now(UTC)
        return SessionEnded.EXPIRED if expired else SessionEnded.WITHDRAWN
    return None


async def _verify(context: Context, token: str) -> None:
    try:
        verified = await context.services.identity.authenticate(token)
    except AuthenticationFailed as error:
        context.principal = None
        context.auth_error = error.message
        structlog.contextvars.unbind_contextvars("user_id", "organization_id")
        return
    context.principal = Principal.of(verified.user)
    # Every line logged for this request (or websocket) from here on names its caller.
    structlog.contextvars.bind_contextvars(
        user_id=str(context.principal.user_id),
        organization_id=str(context.principal.organization_id),
    )
    context.token_expires_at = verified.expires_at
    # The row was just read: resolvers asking for the caller get it without a query.
    context.loaders.identity.user.prime(verified.user.id, verified.user)
