"""The web app's static files (`web/dist`, built by Vite), served after the API's routes.

- `/assets/...`: hashed by Vite, so a file never changes under its name: cached for a year.
- other files at the root of the build (favicon...): a short cache.
- any other path outside the API's: `index.html`, not cached, so that deep links such as
  `/chat/123` reach the app's router (history fallback) and a new build shows at once.

Starlette's `StaticFiles` resolves every path (normalised, symlinks resolved, kept inside the
build folder), so no path can escape it. It is called from plain routes rather than mounted:
a mount on `/` would also receive websocket handshakes, which `StaticFiles` cannot answer.
"""

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles

ASSETS = "/assets/"
GRAPHIQL_PAGE = "graphiql.html"
_INDEX = "index.html"

_IMMUTABLE = "public, max-age=31536000, immutable"
_SHORT = "public, max-age=3600"
_NO_CACHE = "no-cache"

# The same origin only: no inline script or style, nothing from another host, never framed.
# `connect-src 'self'` covers the app's own websocket (CSP Level 3 matches ws: and wss: of the
# same host to 'self').
APP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# GraphiQL's dialogs (Radix, through react-remove-scroll) insert a <style> element at run
# time, which a style-src without 'unsafe-inline' blocks (Chromium reports the violation when
# its settings or shortcuts dialog opens). Inline styles cannot run scripts, and only the
# explorer's page gets this; the app's keeps the strict policy.
GRAPHIQL_POLICY = APP_POLICY.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';")

_HARDENING = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}

NOT_BUILT = (
    "The web app is not built: run ./scripts/serve, or "
    "npm --prefix web ci && npm --prefix web run build. The API works without it (/graphql)."
)
GRAPHIQL_NOT_BUILT = (
    "GraphiQL is not built (Beacon serves its own, never one from a CDN): run ./scripts/serve, "
    "or npm --prefix web ci && npm --prefix web run build. POST /graphql works without it."
)


class WebApp:
    """The built app in `dist`; paths under `api_prefixes` are never the app's."""

    def __init__(self, dist: Path, api_prefixes: tuple[str, ...]) -> None:
        self._dist = dist
        # check_dir=False: a missing build answers "not built", and the API still starts.
        self._files = StaticFiles(directory=dist, check_dir=False)
        self._api_prefixes = api_prefixes

    def routes(self) -> list[Route]:
        """Last in the app's routes: every GET (and HEAD) path the API did not take."""
        return [Route("/{path:path}", self._serve, methods=["GET"])]

    async def graphiql(self) -> Response:
        """Beacon's own GraphiQL page (the second Vite entry), or how to build it."""
        page = self._dist / GRAPHIQL_PAGE
        if not page.is_file():
            return _hardened(PlainTextResponse(GRAPHIQL_NOT_BUILT, status_code=404))
        return _html(FileResponse(page), GRAPHIQL_POLICY)

    async def _serve(self, request: Request) -> Response:
        path = request.url.path
        if self._is_api(path):
            raise HTTPException(status_code=404)
        try:
            response = await self._files.get_response(
                self._files.get_path(request.scope), request.scope
            )
        except HTTPException as error:
            # A missing asset stays a 404: index.html in its place would be parsed as code.
            if error.status_code != 404 or path.startswith(ASSETS):
                raise
            return self._index(request)
        if path.startswith(ASSETS):
            response.headers["cache-control"] = _IMMUTABLE
            return _hardened(response)
        if path.endswith(".html"):
            policy = GRAPHIQL_POLICY if path == "/" + GRAPHIQL_PAGE else APP_POLICY
            return _html(response, policy)
        response.headers["cache-control"] = _SHORT
        return _hardened(response)

    def _index(self, request: Request) -> Response:
        index = self._dist / _INDEX
        if not index.is_file():
            return _hardened(PlainTextResponse(NOT_BUILT, status_code=404))
        return _html(self._files.file_response(index, index.stat(), request.scope), APP_POLICY)

    def _is_api(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self._api_prefixes)


def _html(response: Response, policy: str) -> Response:
    """A page: its policy, and revalidated on every load (a new build shows at once)."""
    response.headers["content-security-policy"] = policy
    response.headers["cache-control"] = _NO_CACHE
    return _hardened(response)


def _hardened(response: Response) -> Response:
    response.headers.update(_HARDENING)
    return response
