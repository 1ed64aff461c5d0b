"""`GET /auth/oidc/start` and `GET /auth/oidc/callback`: the browser's round trip through an
organisation's OpenID provider, as plain HTTP routes (the provider redirects a browser; it
does not speak GraphQL).

The attempt (state, nonce, PKCE verifier) rides in the `beacon_oidc` cookie, sealed under the
secret key: SameSite=Lax, because the provider's redirect back is a cross-site top-level GET
that a Strict cookie would miss; Path=/auth/oidc keeps it off every other route. The callback
hands the session to the web app through the refresh cookie, as `login` does for it, and the
web app's refresh picks it up. Every failure answers 303 to `/?signInError=<CODE>`, the web
app's sentence for it; the log says why in detail.
"""

import logging

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.identity import cookies
from api.identity.sign_in_types import CALLBACK_PATH, START_PATH
from domain.bootstrap import Services
from domain.errors import OidcSignInFailed
from domain.identity.oidc import ATTEMPT_SECONDS, Callback
from domain.settings import Settings

log = logging.getLogger("beacon.api.oidc")

ATTEMPT_COOKIE = "beacon_oidc"
ATTEMPT_PATH = "/auth/oidc"
PREFIX = "/auth"
# The callback's URL carries the code: no page it leads to may pass it on, nothing may keep it.
_HEADERS = {"cache-control": "no-store", "referrer-policy": "no-referrer"}


async def start(request: Request) -> Response:
    """To the provider of the email's organisation, with a new attempt in the cookie."""
    services: Services = request.app.state.services
    settings = services.settings
    email = request.query_params.get("email", "")
    try:
        started = await services.oidc.start(email, _redirect_uri(request, settings))
    except OidcSignInFailed as error:
        return _failure(error, settings)
    response = RedirectResponse(started.url, status_code=303, headers=_HEADERS)
    response.set_cookie(
        ATTEMPT_COOKIE,
        started.sealed_attempt,
        max_age=ATTEMPT_SECONDS,
        path=ATTEMPT_PATH,
        secure=cookies.secure_cookies(settings),
        httponly=True,
        samesite="lax",
    )
    return response


async def callback(request: Request) -> Response:
    """Back from the provider: signed in (the refresh cookie set) and on to the web app."""
    services: Services = request.app.state.services
    settings = services.settings
    query = request.query_params
    try:
        session = await services.oidc.finish(
            request.cookies.get(ATTEMPT_COOKIE),
            Callback(code=query.get("code"), state=query.get("state"), error=query.get("error")),
        )
    except OidcSignInFailed as error:
        return _failure(error, settings)
    response = RedirectResponse(_home(settings), status_code=303, headers=_HEADERS)
    cookies.set_refresh_cookie(response, settings, session.refresh_token)
    _forget_attempt(response, settings)
    return response


def _failure(error: OidcSignInFailed, settings: Settings) -> Response:
    log.warning("oidc sign-in refused: %s: %s", error.code, error.message)
    target = f"{_home(settings)}?signInError={error.code}"
    response = RedirectResponse(target, status_code=303, headers=_HEADERS)
    _forget_attempt(response, settings)
    return response


def _forget_attempt(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        ATTEMPT_COOKIE,
        path=ATTEMPT_PATH,
        secure=cookies.secure_cookies(settings),
        httponly=True,
        samesite="lax",
    )


def _home(settings: Settings) -> str:
    return (settings.public_url or "").rstrip("/") + "/"


def _redirect_uri(request: Request, settings: Settings) -> str:
    """Under BEACON_PUBLIC_URL, or the request's own origin (its scheme as the trusted proxy
    headers set it)."""
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + CALLBACK_PATH


ROUTES = [
    Route(START_PATH, start, methods=["GET"]),
    Route(CALLBACK_PATH, callback, methods=["GET"]),
]
