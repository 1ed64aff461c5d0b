"""An ID token signs a person in only when the provider's key signed it, with an algorithm the
provider advertises, for this client, from this issuer, unexpired, and for this attempt."""

import time
from typing import Any

import pytest

from domain.errors import OidcFailure, OidcSignInFailed
from domain.identity.oidc_client import verify_id_token
from tests.support.oidc_tokens import (
    CLIENT_ID,
    NONCE,
    claims,
    discovery,
    public_jwks,
    public_keys,
    signed,
    signed_with_hs256,
    signing_key,
    unsigned,
)


def verify(token: str, nonce: str = NONCE) -> dict[str, Any]:
    return verify_id_token(token, public_keys(), discovery(), CLIENT_ID, nonce)


def refused(token: str, nonce: str = NONCE) -> OidcSignInFailed:
    with pytest.raises(OidcSignInFailed) as failed:
        verify(token, nonce)
    assert failed.value.failure is OidcFailure.TOKEN_INVALID
    return failed.value


def test_a_token_the_provider_signed_for_this_attempt_gives_its_claims() -> None:
    assert verify(signed(claims()))["email"] == "ada@acme.test"


def test_a_token_of_another_issuer_is_refused() -> None:
    refused(signed(claims(iss="https://evil.test")))


def test_a_token_for_another_client_is_refused() -> None:
    refused(signed(claims(aud="someone-else")))


def test_a_token_for_several_audiences_must_name_this_client_as_authorized_party() -> None:
    assert verify(signed(claims(aud=[CLIENT_ID, "other"], azp=CLIENT_ID)))
    refused(signed(claims(aud=[CLIENT_ID, "other"], azp="other")))


def test_an_expired_token_is_refused() -> None:
    now = int(time.time())
    refused(signed(claims(iat=now - 3600, exp=now - 600)))


def test_a_token_without_expiry_is_refused() -> None:
    refused(signed(claims(exp=None)))


def test_a_token_of_another_attempt_is_refused() -> None:
    refused(signed(claims()), nonce="nonce-of-another-attempt")
    refused(signed(claims(nonce=None)))


def test_an_unsigned_token_is_refused() -> None:
    refused(unsigned(claims()))


def test_a_token_signed_with_hs256_keyed_with_the_public_key_is_refused() -> None:
    public_key = signing_key().as_pem(private=False)
    refused(signed_with_hs256(claims(), public_key))


def test_a_token_signed_by_an_unknown_key_is_refused() -> None:
    refused(signed(claims(), key=signing_key("stranger")))


def test_a_token_whose_kid_names_the_providers_key_but_another_key_signed_is_refused() -> None:
    refused(signed(claims(), key=signing_key("stranger"), kid="key-1"))


def test_an_algorithm_the_discovery_does_not_advertise_is_refused() -> None:
    with pytest.raises(OidcSignInFailed):
        verify_id_token(
            signed(claims()), public_keys(), discovery(algorithms=("ES256",)), CLIENT_ID, NONCE
        )


def test_the_jwks_document_carries_no_private_part() -> None:
    (key,) = public_jwks()["keys"]
    assert "d" not in key and key["kid"] == "key-1"
