"""An OpenID provider double for the OIDC tests, in process: a small Starlette app that Beacon
reaches through an httpx2 transport (never the network). It serves discovery, a JWKS, an
authorization endpoint that signs in `person` at once, and a token endpoint that checks the
client's secret, the code (single use), the redirect URI and the PKCE verifier, and answers
with an ID token signed by a generated RSA key. Tests script its misbehaviours."""

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.oidc_tokens import CLIENT_ID, CLIENT_SECRET, ISSUER, claims, public_jwks, signed


@dataclass
class Person:
    """Who signs in at the provider."""

    email: str | None = "ada@acme.test"
    email_verified: bool = True
    groups: list[str] = field(default_factory=list)


@dataclass
class _Grant:
    nonce: str
    code_challenge: str
    redirect_uri: str
    person: Person


class _Switchable(httpx2.AsyncBaseTransport):
    """The app's transport, or a refused connection while the provider is `down`."""

    def __init__(self, provider: "ProviderDouble") -> None:
        self._provider = provider
        self._app = httpx2.ASGITransport(app=provider.app)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._provider.down:
            raise httpx2.ConnectError("connection refused", request=request)
        return await self._app.handle_async_request(request)


class ProviderDouble:
    """The provider; its attributes script what it does next."""

    def __init__(self, issuer: str = ISSUER) -> None:
        self.issuer = issuer
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.person = Person()
        self.down = False
        self.refuse: str | None = None  # an error code the authorization endpoint answers
        self.token_error: str | None = None  # an error code the token endpoint answers
        self.discovery_changes: dict[str, Any] = {}
        self.claim_changes: dict[str, Any] = {}
        self.sign: Callable[[dict[str, Any]], str] = signed
        self.authorizations: list[dict[str, str]] = []
        self._grants: dict[str, _Grant] = {}
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
            ]
        )
        self.transport = _Switchable(self)

    async def _discovery(self, request: Request) -> Response:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }
        document.update(self.discovery_changes)
        return JSONResponse(document)

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse(public_jwks())

    async def _authorize(self, request: Request) -> Response:
        """Signs `person` in at once and redirects back, with a code or `refuse`'s error."""
        query = dict(request.query_params)
        self.authorizations.append(query)
        back = {"state": query.get("state", "")}
        if self.refuse is not None:
            back["error"] = self.refuse
        else:
            code = secrets.token_urlsafe(16)
            self._grants[code] = _Grant(
                nonce=query["nonce"],
                code_challenge=query["code_challenge"],
                redirect_uri=query["redirect_uri"],
                person=self.person,
            )
            back["code"] = code
        return RedirectResponse(f"{query['redirect_uri']}?{urlencode(back)}", status_code=303)

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self._grants.pop(str(form.get("code")), None)  # single use
        if self.token_error is not None or grant is None:
            return JSONResponse({"error": self.token_error or "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != grant.code_challenge:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        person = grant.person
        values = claims(
            iss=self.issuer,
            aud=self.client_id,
            nonce=grant.nonce,
            email=person.email,
            email_verified=person.email_verified,
            groups=person.groups,
        )
        values.update(self.claim_changes)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.sign(values),
            }
        )
