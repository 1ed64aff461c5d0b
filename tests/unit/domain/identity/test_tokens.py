"""Access-token encoding and the checks that refuse forgeries."""

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from domain.errors import InvalidToken
from domain.identity.models import Role
from domain.identity.tokens import TokenCodec, hash_refresh_token, new_refresh_token

SECRET = "s" * 64
codec = TokenCodec(SECRET, issuer="beacon", audience="beacon-api", access_ttl=timedelta(minutes=5))
USER, ORG = uuid.uuid4(), uuid.uuid4()


def test_a_fresh_access_token_decodes_to_its_claims() -> None:
    token, expires = codec.issue_access(USER, ORG, Role.ADMIN, 3)
    claims = codec.decode_access(token)
    assert (claims.user_id, claims.organization_id, claims.role, claims.token_version) == (
        USER,
        ORG,
        Role.ADMIN,
        3,
    )
    assert claims.expires_at == expires.replace(microsecond=0)


def test_an_expired_token_is_refused() -> None:
    token, _ = codec.issue_access(
        USER, ORG, Role.USER, 0, now=datetime.now(UTC) - timedelta(hours=1)
    )
    with pytest.raises(InvalidToken, match="expired"):
        codec.decode_access(token)


def test_a_token_with_another_algorithm_is_refused() -> None:
    token, _ = codec.issue_access(USER, ORG, Role.USER, 0)
    claims = jwt.decode(token, options={"verify_signature": False})
    for algorithm, key in (("HS512", SECRET), ("none", None)):
        forged = jwt.encode(claims, key, algorithm=algorithm)
        with pytest.raises(InvalidToken):
            codec.decode_access(forged)


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub"])
def test_every_required_claim_must_be_present(missing: str) -> None:
    token, _ = codec.issue_access(USER, ORG, Role.USER, 0)
    claims = jwt.decode(token, options={"verify_signature": False})
    del claims[missing]
    with pytest.raises(InvalidToken):
        codec.decode_access(jwt.encode(claims, SECRET, algorithm="HS256"))


def test_a_token_of_another_kind_is_refused() -> None:
    token, _ = codec.issue_access(USER, ORG, Role.USER, 0)
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["typ"] = "refresh"
    with pytest.raises(InvalidToken, match="not an access token"):
        codec.decode_access(jwt.encode(claims, SECRET, algorithm="HS256"))


def test_a_token_for_another_audience_or_issuer_is_refused() -> None:
    other = TokenCodec(
        SECRET, issuer="elsewhere", audience="other", access_ttl=timedelta(minutes=5)
    )
    token, _ = other.issue_access(USER, ORG, Role.USER, 0)
    with pytest.raises(InvalidToken):
        codec.decode_access(token)


def test_refresh_tokens_are_random_and_stored_only_as_hashes() -> None:
    raw, digest = new_refresh_token()
    again, _ = new_refresh_token()
    assert raw != again
    assert digest == hash_refresh_token(raw)
    assert raw not in digest and len(digest) == 64
