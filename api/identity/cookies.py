"""The web app's refresh token, kept in an httpOnly cookie out of reach of its scripts.

Only `refreshToken` reads the cookie, and only to refresh: it never authenticates a request
(that takes `Authorization: Bearer`), so it opens no CSRF path to the API. SameSite=Strict
keeps other sites from even sending it, and `Path=/graphql` keeps it off every other route.
"""

from starlette.responses import Response

from api.context import Info
from api.errors import BadUserInput
from domain.settings import Settings

REFRESH_COOKIE = "beacon_refresh"
COOKIE_PATH = "/graphql"


def sent_refresh_token(info: Info) -> str | None:
    """The refresh token the request's cookie carries, if any. Not over a websocket: its
    handshake may carry the cookie, but its answer cannot set the rotated one."""
    if info.context.response is None:
        return None
    return info.context.request.cookies.get(REFRESH_COOKIE) or None


def wants_cookie(info: Info, requested: bool) -> bool:
    """`requested` (refreshTokenInCookie), checked before any session starts: over a
    websocket the cookie could not be set, and the new refresh token would be lost."""
    if requested and info.context.response is None:
        raise BadUserInput(
            "refreshTokenInCookie needs an HTTP request: a websocket cannot set cookies.",
            field="refreshTokenInCookie",
        )
    return requested


def keep_refresh_token(info: Info, token: str) -> None:
    """Set the cookie to `token`, living as long as the token does."""
    set_refresh_cookie(_response(info), info.context.services.settings, token)


def set_refresh_cookie(response: Response, settings: Settings, token: str) -> None:
    """Set the cookie on any response (the OIDC callback's redirect hands a session over to
    the web app this way)."""
    response.set_cookie(
        REFRESH_COOKIE,
        token,
        max_age=settings.refresh_token_ttl_seconds,
        path=COOKIE_PATH,
        secure=secure_cookies(settings),
        httponly=True,
        samesite="strict",
    )


def forget_refresh_token(info: Info) -> None:
    """Tell the browser to drop the cookie (Max-Age=0); nothing to do over a websocket."""
    if info.context.response is not None:
        info.context.response.delete_cookie(
            REFRESH_COOKIE,
            path=COOKIE_PATH,
            secure=secure_cookies(info.context.services.settings),
            httponly=True,
            samesite="strict",
        )


def secure_cookies(settings: Settings) -> bool:
    """HTTPS only in production, or wherever the public URL says clients use https; plain
    http://localhost in development would never send a Secure cookie back."""
    return settings.is_production or (settings.public_url or "").startswith("https://")


def _response(info: Info) -> Response:
    response = info.context.response
    if response is None:  # `wants_cookie` refuses this before a session starts
        raise RuntimeError("a cookie needs an HTTP response")
    return response
