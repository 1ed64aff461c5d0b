"""Access and refresh tokens as clients use them: rotation, reuse, revocation, forgery."""

import base64
import json
import time
from typing import Any

import jwt
import pytest
from pydantic import SecretStr

from domain.settings import Settings
from tests.support.graphql import PASSWORD, SIGN_UP, GraphQLClient

REFRESH = """
mutation Refresh($token: String!) {
  refreshToken(input: {refreshToken: $token}) {
    __typename
    ... on AuthPayload { accessToken refreshToken }
    ... on Error { message code }
  }
}"""
ME = "{ me { id } }"
CHANGE_PASSWORD = """
mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) {
    __typename
    ... on AuthPayload { accessToken }
    ... on Error { message code }
    ... on ValidationError { field }
  }
}"""


async def refresh(client: GraphQLClient, token: str) -> dict[str, Any]:
    body = await client.execute(REFRESH, {"token": token})
    return body["data"]["refreshToken"]  # type: ignore[no-any-return]


async def me_error_code(client: GraphQLClient, token: str) -> str | None:
    body = await client.execute(ME, token=token)
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]  # type: ignore[no-any-return]
    return None


async def change_password(
    client: GraphQLClient, token: str, current: str, new: str
) -> dict[str, Any]:
    body = await client.execute(
        CHANGE_PASSWORD, {"input": {"currentPassword": current, "newPassword": new}}, token=token
    )
    return body["data"]["changePassword"]  # type: ignore[no-any-return]


def forge(settings: Settings, **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "00000000-0000-0000-0000-000000000000",
        "iat": now,
        "exp": now + 600,
        "typ": "access",
        "org": "00000000-0000-0000-0000-000000000000",
        "role": "ADMIN",
        "ver": 0,
    }
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, settings.secret, "HS256")


async def test_a_refresh_token_rotates_into_a_new_pair(client: GraphQLClient) -> None:
    account = await client.sign_up()
    rotated = await refresh(client, account.refresh_token)
    assert rotated["__typename"] == "AuthPayload"
    assert rotated["refreshToken"] != account.refresh_token
    assert await me_error_code(client, rotated["accessToken"]) is None


async def test_replaying_a_used_refresh_token_revokes_the_whole_family(
    client: GraphQLClient,
) -> None:
    account = await client.sign_up()
    rotated = await refresh(client, account.refresh_token)
    replay = await refresh(client, account.refresh_token)
    assert replay["__typename"] == "InvalidRefreshToken"
    assert replay["code"] == "REFRESH_TOKEN_REUSED"
    # The thief's (or the victim's) newer pair dies with the family, access token included.
    assert (await refresh(client, rotated["refreshToken"]))["__typename"] == "InvalidRefreshToken"
    assert await me_error_code(client, rotated["accessToken"]) == "UNAUTHENTICATED"


async def test_a_reused_refresh_token_leaves_other_sessions_a_way_back_in(
    client: GraphQLClient,
) -> None:
    account = await client.sign_up()
    other_device = await client.login(account.email)
    await refresh(client, account.refresh_token)
    assert (await refresh(client, account.refresh_token))["code"] == "REFRESH_TOKEN_REUSED"
    # Access tokens do not name their family, so every one of the user's ends; the other
    # family's refresh token still gets that session a fresh pair.
    assert await me_error_code(client, other_device.access_token) == "UNAUTHENTICATED"
    renewed = await refresh(client, other_device.refresh_token)
    assert renewed["__typename"] == "AuthPayload"
    assert await me_error_code(client, renewed["accessToken"]) is None


async def test_an_unknown_refresh_token_is_refused(client: GraphQLClient) -> None:
    assert (await refresh(client, "rt_made_up"))["code"] == "INVALID_TOKEN"


async def test_logout_revokes_refresh_and_access_tokens(client: GraphQLClient) -> None:
    account = await client.sign_up()
    body = await client.execute(
        "mutation { logout { ... on LogoutSuccess { revokedSessions } } }",
        token=account.access_token,
    )
    assert body["data"]["logout"]["revokedSessions"] == 1
    assert await me_error_code(client, account.access_token) == "UNAUTHENTICATED"
    assert (await refresh(client, account.refresh_token))["__typename"] == "InvalidRefreshToken"


async def test_changing_the_password_ends_other_sessions(client: GraphQLClient) -> None:
    account = await client.sign_up()
    body = await client.execute(
        """mutation($input: ChangePasswordInput!) { changePassword(input: $input) {
             __typename ... on AuthPayload { accessToken } } }""",
        {"input": {"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"}},
        token=account.access_token,
    )
    assert body["data"]["changePassword"]["__typename"] == "AuthPayload"
    assert await me_error_code(client, account.access_token) == "UNAUTHENTICATED"
    assert await me_error_code(client, body["data"]["changePassword"]["accessToken"]) is None
    relogin = await client.login(account.email, "a brand new passphrase")
    assert relogin.id == account.id


async def test_a_new_password_over_72_bytes_is_refused_like_at_sign_up(
    client: GraphQLClient,
) -> None:
    account = await client.sign_up()
    for too_long in ("n" * 73, "é" * 37):
        payload = await change_password(client, account.access_token, PASSWORD, too_long)
        assert payload["__typename"] == "ValidationError", payload
        assert (payload["field"], payload["code"]) == ("newPassword", "WEAK_PASSWORD")
    # Nothing changed: the old password and the old session still work.
    assert await me_error_code(client, account.access_token) is None
    assert (await client.login(account.email)).id == account.id


async def test_a_72_byte_current_password_with_a_suffix_is_a_wrong_current_password(
    client: GraphQLClient,
) -> None:
    current = "c" * 72
    body = await client.execute(
        SIGN_UP,
        {"input": {"organizationName": "Acme", "email": "ada@example.com", "password": current}},
    )
    token = body["data"]["signUp"]["accessToken"]
    payload = await change_password(client, token, current + "x", "a brand new passphrase")
    assert payload["__typename"] == "InvalidCredentials"
    assert payload["code"] == "INVALID_CREDENTIALS"
    # The session survives, and the exact current password still changes it.
    assert await me_error_code(client, token) is None
    payload = await change_password(client, token, current, "a brand new passphrase")
    assert payload["__typename"] == "AuthPayload"


async def test_a_refresh_token_is_never_accepted_as_an_access_token(client: GraphQLClient) -> None:
    account = await client.sign_up()
    assert await me_error_code(client, account.refresh_token) == "UNAUTHENTICATED"


async def test_an_expired_access_token_is_refused_with_a_reason(
    client: GraphQLClient, settings: Settings
) -> None:
    account = await client.sign_up()
    token = forge(settings, sub=account.id, org=account.organization_id, exp=int(time.time()) - 5)
    body = await client.execute(ME, token=token)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in body["errors"][0]["message"]


async def test_a_tampered_access_token_is_refused(client: GraphQLClient) -> None:
    account = await client.sign_up()
    header, payload, signature = account.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "ADMIN"
    claims["sub"] = "11111111-1111-1111-1111-111111111111"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert await me_error_code(client, f"{header}.{forged}.{signature}") == "UNAUTHENTICATED"


async def test_an_alg_none_token_is_refused(client: GraphQLClient, settings: Settings) -> None:
    account = await client.sign_up()
    unsigned = jwt.encode(
        {"sub": account.id, "iss": settings.jwt_issuer, "aud": settings.jwt_audience},
        key=None,
        algorithm="none",
    )
    assert await me_error_code(client, unsigned) == "UNAUTHENTICATED"


async def test_wrong_audience_or_issuer_is_refused(
    client: GraphQLClient, settings: Settings
) -> None:
    account = await client.sign_up()
    mine = {"sub": account.id, "org": account.organization_id}
    assert await me_error_code(client, forge(settings, aud="another-api", **mine)) is not None
    assert await me_error_code(client, forge(settings, iss="someone-else", **mine)) is not None
    assert await me_error_code(client, forge(settings, iat=None, **mine)) == "UNAUTHENTICATED"
    assert await me_error_code(client, forge(settings, **mine)) is None  # control: valid


async def test_a_token_signed_with_another_key_is_refused(
    client: GraphQLClient, settings: Settings
) -> None:
    account = await client.sign_up()
    other_key = settings.model_copy(update={"secret_key": SecretStr("k" * 64)})
    token = forge(other_key, sub=account.id, org=account.organization_id)
    assert await me_error_code(client, token) == "UNAUTHENTICATED"


async def test_a_malformed_authorization_header_says_how_to_send_it(
    client: GraphQLClient,
) -> None:
    response = await client.post({"query": ME}, authorization="Token abc")
    assert "Bearer" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "cookie",
    [
        "authorization=Bearer {token}",
        "access_token={token}",
        "token={token}",
        "refresh_token={refresh}",
        "beacon_refresh={refresh}",
    ],
    ids=["authorization", "access_token", "token", "refresh_token", "beacon_refresh"],
)
async def test_no_cookie_ever_authenticates_a_request(client: GraphQLClient, cookie: str) -> None:
    """Only `Authorization: Bearer` does, so a cross-site form post never carries a session."""
    admin = await client.sign_up()
    header = cookie.format(token=admin.access_token, refresh=admin.refresh_token)

    response = await client.http.post(
        "/graphql", json={"query": "{ me { email } }"}, headers={"cookie": header}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
