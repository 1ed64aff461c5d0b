"""Talking to an OpenID Connect provider: discovery, the authorization URL (code flow, PKCE
S256), the code exchange, and ID-token verification against the provider's JWKS.

authlib's `AsyncOAuth2Client` builds the URL and exchanges the code (its HTTP client is httpx2,
the successor of httpx, already installed for openai); joserfc, authlib's JOSE layer, verifies
the ID token with the algorithms pinned to what the discovery document advertises, and only
asymmetric ones: a token signed with HS256 (keyed with something public) or `none` is refused
whatever the provider lists. Every failure is an `OidcSignInFailed` whose message says why for
the log, never a token or a secret.
"""

from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from domain.errors import OidcFailure, OidcSignInFailed

SCOPE = "openid email profile"
# A sign-in makes three calls (discovery, token, JWKS): together within the request deadline.
TIMEOUT_SECONDS = 5.0
LEEWAY_SECONDS = 60  # clocks of Beacon and the provider may disagree a little
ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
WELL_KNOWN = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class Discovery:
    """What Beacon uses of a provider's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]  # ID-token algorithms advertised, asymmetric ones only
    token_endpoint_auth_method: str


@dataclass(frozen=True)
class Client:
    """Beacon as one provider's client."""

    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass(frozen=True)
class AuthorizationRequest:
    """The secrets of one sign-in attempt, kept by the browser's sealed cookie meanwhile."""

    state: str
    nonce: str
    code_verifier: str


def _unreachable(detail: str) -> OidcSignInFailed:
    return OidcSignInFailed(OidcFailure.PROVIDER_UNREACHABLE, detail)


class OidcClient:
    """HTTP to providers, through `transport` when given (tests: an in-process provider)."""

    def __init__(self, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self._transport = transport

    def _session(self, **options: Any) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(transport=self._transport, timeout=TIMEOUT_SECONDS, **options)

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            async with self._session() as session:
                response = await session.request("GET", url, withhold_token=True)
            response.raise_for_status()
            document = response.json()
        except (httpx2.HTTPError, ValueError) as error:
            raise _unreachable(f"{what} at {url}: {type(error).__name__}: {error}") from error
        if not isinstance(document, dict):
            raise _unreachable(f"{what} at {url} is not a JSON object")
        return document

    async def discover(self, issuer: str) -> Discovery:
        """The provider's discovery document, which must name `issuer` exactly (OpenID
        Connect Discovery 4.3: otherwise another provider could pass for this one)."""
        url = issuer.rstrip("/") + WELL_KNOWN
        document = await self._get_json(url, "discovery document")
        fields = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        values = {name: document.get(name) for name in fields}
        missing = [name for name, value in values.items() if not isinstance(value, str)]
        if missing:
            raise _unreachable(f"discovery document at {url} lacks {', '.join(missing)}")
        if values["issuer"] != issuer:
            raise _unreachable(f"discovery document at {url} names issuer {values['issuer']!r}")
        advertised = document.get("id_token_signing_alg_values_supported")
        algorithms = tuple(
            name for name in advertised or () if isinstance(name, str) and name in ASYMMETRIC
        )
        if not algorithms:
            raise _unreachable(f"{url} advertises no asymmetric ID-token algorithm: {advertised}")
        methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        method = "client_secret_post" if "client_secret_basic" not in methods else None
        return Discovery(
            issuer=issuer,
            authorization_endpoint=str(values["authorization_endpoint"]),
            token_endpoint=str(values["token_endpoint"]),
            jwks_uri=str(values["jwks_uri"]),
            algorithms=algorithms,
            token_endpoint_auth_method=method or "client_secret_basic",
        )

    def authorization_url(
        self,
        discovery: Discovery,
        client: Client,
        request: AuthorizationRequest,
        login_hint: str,
    ) -> str:
        """Where the browser goes to sign in: the code flow with PKCE (S256), state and nonce."""
        session = self._session(
            client_id=client.client_id,
            redirect_uri=client.redirect_uri,
            scope=SCOPE,
            code_challenge_method="S256",
        )
        url, _ = session.create_authorization_url(
            discovery.authorization_endpoint,
            state=request.state,
            code_verifier=request.code_verifier,
            nonce=request.nonce,
            login_hint=login_hint,
        )
        return str(url)

    async def exchange(
        self, discovery: Discovery, client: Client, code: str, code_verifier: str
    ) -> str:
        """The ID token the token endpoint gives for `code` (with the PKCE verifier and the
        client secret); `CODE_REJECTED` when it answers with an OAuth error."""
        try:
            async with self._session(
                client_id=client.client_id,
                client_secret=client.client_secret,
                token_endpoint_auth_method=discovery.token_endpoint_auth_method,
                redirect_uri=client.redirect_uri,
            ) as session:
                token = await session.fetch_token(
                    discovery.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
        except OAuthError as error:
            raise OidcSignInFailed(
                OidcFailure.CODE_REJECTED, f"the token endpoint refused the code: {error.error}"
            ) from error
        except (httpx2.HTTPError, ValueError, TypeError) as error:
            raise _unreachable(f"token endpoint: {type(error).__name__}: {error}") from error
        id_token = token.get("id_token") if isinstance(token, dict) else None
        if not isinstance(id_token, str):
            raise _unreachable("the token endpoint's answer carries no id_token")
        return id_token

    async def keys(self, discovery: Discovery) -> KeySet:
        """The provider's signing keys (fetched at every sign-in: rotations apply at once)."""
        document = await self._get_json(discovery.jwks_uri, "JWKS")
        try:
            return KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as error:
            raise _unreachable(f"JWKS at {discovery.jwks_uri}: {error}") from error


def verify_id_token(
    id_token: str, keys: KeySet, discovery: Discovery, client_id: str, nonce: str
) -> dict[str, Any]:
    """The ID token's claims once its signature (a key of `keys`, an algorithm the discovery
    advertised), issuer, audience, expiry and nonce hold; `TOKEN_INVALID` otherwise."""
    try:
        token = jwt.decode(id_token, keys, algorithms=list(discovery.algorithms))
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": discovery.issuer},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise OidcSignInFailed(
            OidcFailure.TOKEN_INVALID, f"ID token refused: {type(error).__name__}: {error}"
        ) from error
    claims = dict(token.claims)
    audience = claims.get("aud")
    # OpenID Connect Core 3.1.3.7: a token for several audiences names its client in azp.
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        detail = f"ID token for several audiences with azp {claims.get('azp')!r}"
        raise OidcSignInFailed(OidcFailure.TOKEN_INVALID, detail)
    return claims
