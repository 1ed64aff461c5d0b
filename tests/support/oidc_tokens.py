"""ID tokens signed here, as a provider (or an attacker) would sign them, for OIDC tests."""

import base64
import hashlib
import hmac
import json
import time
from functools import cache
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from domain.identity.oidc_client import Discovery

ISSUER = "https://idp.test"
CLIENT_ID = "beacon-client"
CLIENT_SECRET = "client-secret-of-beacon"
NONCE = "nonce-of-this-attempt"
KEY_ID = "key-1"


@cache
def signing_key(kid: str = KEY_ID) -> RSAKey:
    """An RSA key of the provider (one per kid per test session: generating takes a while)."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"}, private=True)


def public_jwks(*keys: RSAKey) -> dict[str, Any]:
    """The JWKS document of `keys` (default: the provider's key), public parts only."""
    return KeySet(list(keys) or [signing_key()]).as_dict(private=False)


def public_keys() -> KeySet:
    """The provider's keys as Beacon imports them from its JWKS."""
    return KeySet.import_key_set(public_jwks())  # type: ignore[arg-type]


def discovery(issuer: str = ISSUER, algorithms: tuple[str, ...] = ("RS256",)) -> Discovery:
    """What Beacon keeps of the provider's discovery document."""
    return Discovery(
        issuer=issuer,
        authorization_endpoint=f"{issuer}/authorize",
        token_endpoint=f"{issuer}/token",
        jwks_uri=f"{issuer}/jwks",
        algorithms=algorithms,
        token_endpoint_auth_method="client_secret_basic",
    )


def claims(**changes: Any) -> dict[str, Any]:
    """A valid ID token's claims for ada@acme.test, with `changes` (None removes a claim)."""
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "ada-subject",
        "email": "ada@acme.test",
        "email_verified": True,
        "name": "Ada",
        "groups": [],
        "nonce": NONCE,
        "iat": now,
        "exp": now + 300,
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def signed(values: dict[str, Any], key: RSAKey | None = None, kid: str | None = None) -> str:
    """`values` signed with RS256 by `key` (default: the provider's), its header naming `kid`."""
    key = key or signing_key()
    return jwt.encode({"alg": "RS256", "kid": kid or str(key.kid)}, values, key)


def _part(value: dict[str, Any] | bytes) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def signed_with_hs256(values: dict[str, Any], secret: bytes) -> str:
    """`values` under an HMAC keyed with `secret`: the algorithm-confusion attack when it is the
    provider's public key (built by hand: joserfc itself refuses such a key)."""
    signing_input = f"{_part({'alg': 'HS256', 'kid': KEY_ID})}.{_part(values)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_part(mac)}"


def unsigned(values: dict[str, Any]) -> str:
    """`values` with `alg: none` and no signature at all."""
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(values)}."
