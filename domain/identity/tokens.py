"""Access tokens (short-lived JWTs) and refresh tokens (opaque, stored only as hashes)."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from domain.errors import InvalidToken
from domain.identity.models import Role

ALGORITHM = "HS256"  # pinned: decoding accepts nothing else, so `none` and key confusion fail
_ACCESS = "access"
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says about its bearer."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: Role
    token_version: int
    expires_at: datetime


class TokenCodec:
    """Issues and checks access tokens for one issuer and audience."""

    def __init__(self, secret: str, issuer: str, audience: str, access_ttl: timedelta) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self.access_ttl = access_ttl

    def issue_access(
        self,
        user_id: uuid.UUID,
        organization_id: uuid.UUID,
        role: Role,
        token_version: int,
        now: datetime | None = None,
    ) -> tuple[str, datetime]:
        """A signed access token and its expiry."""
        issued = now or datetime.now(UTC)
        expires = issued + self.access_ttl
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": uuid.uuid4().hex,
            "typ": _ACCESS,
            "org": str(organization_id),
            "role": role.value,
            "ver": token_version,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM), expires

    def decode_access(self, token: str) -> AccessClaims:
        """The claims of a valid access token; anything else raises `InvalidToken`."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("The access token has expired.") from error
        except jwt.PyJWTError as error:
            raise InvalidToken("The access token is not valid.") from error
        if claims.get("typ") != _ACCESS:
            raise InvalidToken("This is not an access token.")
        try:
            return AccessClaims(
                user_id=uuid.UUID(claims["sub"]),
                organization_id=uuid.UUID(claims["org"]),
                role=Role(claims["role"]),
                token_version=int(claims["ver"]),
                expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            )
        except (KeyError, ValueError, TypeError) as error:
            raise InvalidToken("The access token is not valid.") from error


def new_refresh_token() -> tuple[str, str]:
    """A fresh opaque refresh token and the hash under which it is stored."""
    raw = "rt_" + secrets.token_urlsafe(32)
    return raw, hash_refresh_token(raw)


def hash_refresh_token(raw: str) -> str:
    """sha256 is enough here: the token has 256 random bits, nothing to brute-force."""
    return hashlib.sha256(raw.encode()).hexdigest()
