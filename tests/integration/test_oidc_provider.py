"""The test OpenID provider on its own, no Beacon: what Beacon's OIDC tests rely on (a client
registered dynamically, authorization code with PKCE through a real login form, the claims in
an ID token signed with a key of its JWKS, single-use codes)."""

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from tests.support.oidc import (
    PASSWORD,
    Pkce,
    RegisteredClient,
    discover,
    follow_within,
    login_form,
    pkce,
    register_client,
    require_oidc_issuer,
    sign_in_at_provider,
)

# Nobody listens there: the tests read the redirect, never follow it.
REDIRECT_URI = "http://127.0.0.1:9/auth/oidc/callback"


@pytest.fixture
def issuer() -> str:
    return require_oidc_issuer()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
def client(issuer: str) -> RegisteredClient:
    return register_client(issuer, REDIRECT_URI)


async def login_page(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient, proof: Pkce, state: str
) -> httpx.Response:
    discovery = await discover(http, issuer)
    authorization = await http.get(
        discovery["authorization_endpoint"],
        params={
            "response_type": "code",
            "scope": "openid email profile",
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "state": state,
            "nonce": "n-" + state,
            "code_challenge": proof.challenge,
            "code_challenge_method": "S256",
            "login_hint": "ada@acme.test",
        },
    )
    return await follow_within(http, authorization, issuer)


async def code_for(
    http: httpx.AsyncClient,
    issuer: str,
    client: RegisteredClient,
    proof: Pkce,
    email: str = "ada@acme.test",
) -> str:
    page = await login_page(http, issuer, client, proof, state="s1")
    back = await sign_in_at_provider(http, page, email)
    assert back.is_redirect, f"{back.status_code} {back.text}"
    location = urlsplit(back.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["s1"] and query["iss"] == [issuer], query
    return query["code"][0]


async def exchange(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient, code: str, verifier: str
) -> httpx.Response:
    discovery = await discover(http, issuer)
    return await http.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": client.redirect_uri,
            "code_verifier": verifier,
        },
        auth=(client.client_id, client.client_secret),
    )


async def verified_claims(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient, id_token: str
) -> dict[str, Any]:
    discovery = await discover(http, issuer)
    keys = jwt.PyJWKSet.from_dict((await http.get(discovery["jwks_uri"])).json())
    header = jwt.get_unverified_header(id_token)
    key = next(key for key in keys.keys if key.key_id == header["kid"])
    claims: dict[str, Any] = jwt.decode(
        id_token,
        key=key,
        algorithms=list(discovery["id_token_signing_alg_values_supported"]),
        audience=client.client_id,
        issuer=issuer,
    )
    return claims


async def test_the_login_page_is_a_form_with_login_password_and_sign_in(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient
) -> None:
    page = await login_page(http, issuer, client, pkce(), state="s1")

    form = login_form(page)
    assert page.status_code == 200
    assert {"login", "password"} <= set(form.inputs)
    assert "Sign in" in form.buttons
    assert 'value="ada@acme.test"' in page.text  # the login hint, filled in


async def test_a_code_with_pkce_gives_an_id_token_with_the_persons_claims(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient
) -> None:
    proof = pkce()
    code = await code_for(http, issuer, client, proof)

    tokens = await exchange(http, issuer, client, code, proof.verifier)

    assert tokens.status_code == 200, tokens.text
    claims = await verified_claims(http, issuer, client, tokens.json()["id_token"])
    assert claims["sub"] == "ada"
    assert claims["email"] == "ada@acme.test"
    assert claims["email_verified"] is True
    assert claims["name"] == "Ada Lovelace"
    assert claims["groups"] == ["beacon-admins"]
    assert claims["nonce"] == "n-s1"


async def test_an_unverified_email_says_so_in_the_id_token(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient
) -> None:
    proof = pkce()
    code = await code_for(http, issuer, client, proof, email="una@acme.test")

    tokens = await exchange(http, issuer, client, code, proof.verifier)

    claims = await verified_claims(http, issuer, client, tokens.json()["id_token"])
    assert claims["email"] == "una@acme.test"
    assert claims["email_verified"] is False


async def test_a_replayed_code_is_invalid_grant(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient
) -> None:
    proof = pkce()
    code = await code_for(http, issuer, client, proof)
    first = await exchange(http, issuer, client, code, proof.verifier)
    assert first.status_code == 200, first.text

    replayed = await exchange(http, issuer, client, code, proof.verifier)

    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"


async def test_a_code_without_its_verifier_is_invalid_grant(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient
) -> None:
    code = await code_for(http, issuer, client, pkce())

    refused = await exchange(http, issuer, client, code, pkce().verifier)

    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


async def test_a_wrong_password_shows_the_form_again_with_an_error(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient
) -> None:
    page = await login_page(http, issuer, client, pkce(), state="s1")

    again = await sign_in_at_provider(http, page, "ada@acme.test", PASSWORD + "-not")

    assert again.status_code == 401
    assert "Wrong email or password." in again.text
    assert {"login", "password"} <= set(login_form(again).inputs)


async def test_cancel_redirects_back_with_access_denied(
    http: httpx.AsyncClient, issuer: str, client: RegisteredClient
) -> None:
    page = await login_page(http, issuer, client, pkce(), state="s1")

    back = await sign_in_at_provider(http, page, "", cancel=True)

    assert back.is_redirect, f"{back.status_code} {back.text}"
    query = parse_qs(urlsplit(back.headers["location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["s1"]
    assert "code" not in query
