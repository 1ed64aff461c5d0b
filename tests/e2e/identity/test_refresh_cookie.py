"""The web app's refresh token lives in an httpOnly cookie (`refreshTokenInCookie`); every
other client keeps receiving it in the body, exactly as before."""

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.cookies import Morsel, SimpleCookie
from typing import Any

import httpx
import pytest

from api.app import create_app
from domain.bootstrap import Services
from domain.settings import Settings
from tests.support.graphql import PASSWORD, GraphQLClient

COOKIE = "beacon_refresh"
PAYLOAD = """
    __typename
    ... on AuthPayload { accessToken refreshToken user { id } }
    ... on Error { message code }
"""
SIGN_UP = "mutation($input: SignUpInput!) { signUp(input: $input) {" + PAYLOAD + "} }"
LOGIN = "mutation($input: LoginInput!) { login(input: $input) {" + PAYLOAD + "} }"
REFRESH = "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) {" + PAYLOAD + "} }"
CHANGE_PASSWORD = (
    "mutation($input: ChangePasswordInput!) { changePassword(input: $input) {" + PAYLOAD + "} }"
)
LOGOUT = "mutation { logout { __typename } }"
DEACTIVATE = "mutation($id: ID!) { deactivateUser(id: $id) { __typename } }"
ME = "{ me { id } }"


@dataclasses.dataclass
class Answer:
    """One mutation's result member and the cookie its response set (if any)."""

    result: dict[str, Any]
    cookie: Morsel[str] | None


async def call(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    cookie: str | None = None,
    token: str | None = None,
) -> Answer:
    """POST as a browser would, with exactly the cookie given (none from a jar)."""
    headers = {}
    if cookie is not None:
        headers["cookie"] = f"{COOKIE}={cookie}"
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    http.cookies.clear()
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return Answer(next(iter(body["data"].values())), jar.get(COOKIE))


def sign_up_input(in_cookie: bool | None = True) -> dict[str, Any]:
    values: dict[str, Any] = {
        "organizationName": "Acme",
        "email": "ada@example.com",
        "password": PASSWORD,
    }
    if in_cookie is not None:
        values["refreshTokenInCookie"] = in_cookie
    return {"input": values}


def login_input(email: str = "ada@example.com", in_cookie: bool = True) -> dict[str, Any]:
    return {"input": {"email": email, "password": PASSWORD, "refreshTokenInCookie": in_cookie}}


async def signed_up_in_cookie(http: httpx.AsyncClient) -> Answer:
    answer = await call(http, SIGN_UP, sign_up_input())
    assert answer.result["__typename"] == "AuthPayload", answer.result
    assert answer.cookie is not None
    return answer


def is_cleared(cookie: Morsel[str] | None) -> bool:
    return cookie is not None and cookie.value == "" and cookie["max-age"] == "0"


@pytest.fixture
def http(client: GraphQLClient) -> httpx.AsyncClient:
    return client.http


@asynccontextmanager
async def app_with(
    settings: Settings, services: Services, **changes: Any
) -> AsyncIterator[httpx.AsyncClient]:
    changed = settings.model_copy(update=changes)
    app = create_app(changed, dataclasses.replace(services, settings=changed))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://beacon.test"
    ) as client:
        yield client


async def test_sign_in_with_the_flag_sets_an_httponly_strict_cookie_instead_of_the_body(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    await signed_up_in_cookie(http)
    answer = await call(http, LOGIN, login_input())

    assert answer.result["__typename"] == "AuthPayload"
    assert answer.result["refreshToken"] is None
    assert answer.result["accessToken"]
    cookie = answer.cookie
    assert cookie is not None and cookie.value.startswith("rt_")
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/graphql"
    assert cookie["max-age"] == str(settings.refresh_token_ttl_seconds)
    assert not cookie["secure"]  # development serves plain http://localhost


async def test_without_the_flag_every_client_keeps_todays_flow(http: httpx.AsyncClient) -> None:
    signed_up = await call(http, SIGN_UP, sign_up_input(in_cookie=None))
    logged_in = await call(http, LOGIN, login_input(in_cookie=False))
    refreshed = await call(
        http, REFRESH, {"input": {"refreshToken": logged_in.result["refreshToken"]}}
    )

    for answer in (signed_up, logged_in, refreshed):
        assert answer.result["__typename"] == "AuthPayload"
        assert answer.result["refreshToken"].startswith("rt_")
        assert answer.cookie is None


@pytest.mark.parametrize(
    "changes",
    [{"env": "production"}, {"public_url": "https://beacon.example.com"}],
    ids=["production", "https-public-url"],
)
async def test_the_cookie_is_secure_in_production_and_behind_https(
    settings: Settings, services: Services, changes: dict[str, Any]
) -> None:
    async with app_with(settings, services, **changes) as http:
        answer = await signed_up_in_cookie(http)
        assert answer.cookie is not None and answer.cookie["secure"] is True
        refreshed = await call(http, REFRESH, {"input": {}}, cookie=answer.cookie.value)
        assert refreshed.cookie is not None and refreshed.cookie["secure"] is True


async def test_a_refresh_through_the_cookie_rotates_it_and_the_old_value_is_reuse(
    http: httpx.AsyncClient,
) -> None:
    first = await signed_up_in_cookie(http)
    assert first.cookie is not None

    rotated = await call(http, REFRESH, {"input": {}}, cookie=first.cookie.value)

    assert rotated.result["__typename"] == "AuthPayload"
    assert rotated.result["refreshToken"] is None
    assert rotated.cookie is not None and rotated.cookie.value.startswith("rt_")
    assert rotated.cookie.value != first.cookie.value
    assert (await call(http, ME, token=rotated.result["accessToken"])).result["id"]

    replayed = await call(http, REFRESH, {"input": {}}, cookie=first.cookie.value)

    assert replayed.result["code"] == "REFRESH_TOKEN_REUSED"
    assert is_cleared(replayed.cookie)
    # The family is revoked, as for a token sent in the body: the newer cookie dies too.
    newer = await call(http, REFRESH, {"input": {}}, cookie=rotated.cookie.value)
    assert newer.result["__typename"] == "InvalidRefreshToken"


async def test_a_body_token_may_ask_for_the_cookie_and_wins_over_a_sent_cookie(
    http: httpx.AsyncClient,
) -> None:
    await call(http, SIGN_UP, sign_up_input(in_cookie=False))
    body_session = await call(http, LOGIN, login_input(in_cookie=False))

    moved = await call(
        http,
        REFRESH,
        {
            "input": {
                "refreshToken": body_session.result["refreshToken"],
                "refreshTokenInCookie": True,
            }
        },
        cookie="rt_some_stale_value",
    )

    assert moved.result["__typename"] == "AuthPayload"
    assert moved.result["refreshToken"] is None
    assert moved.cookie is not None and moved.cookie.value.startswith("rt_")


async def test_a_refresh_with_no_token_and_no_cookie_says_what_is_missing(
    http: httpx.AsyncClient,
) -> None:
    answer = await call(http, REFRESH, {"input": {}})

    assert answer.result["__typename"] == "InvalidRefreshToken"
    assert answer.result["code"] == "REFRESH_TOKEN_MISSING"
    assert "beacon_refresh" in answer.result["message"]
    assert answer.cookie is None


async def test_a_cookie_that_fails_is_cleared(http: httpx.AsyncClient) -> None:
    answer = await call(http, REFRESH, {"input": {}}, cookie="rt_made_up")

    assert answer.result["code"] == "INVALID_TOKEN"
    assert is_cleared(answer.cookie)
    assert answer.cookie is not None and answer.cookie["path"] == "/graphql"


async def test_logout_clears_the_cookie(http: httpx.AsyncClient) -> None:
    session = await signed_up_in_cookie(http)
    assert session.cookie is not None

    logged_out = await call(http, LOGOUT, token=session.result["accessToken"])

    assert logged_out.result["__typename"] == "LogoutSuccess"
    assert is_cleared(logged_out.cookie)
    refused = await call(http, REFRESH, {"input": {}}, cookie=session.cookie.value)
    assert refused.result["code"] == "INVALID_TOKEN"


async def test_changing_the_password_with_the_flag_moves_the_new_session_into_the_cookie(
    http: httpx.AsyncClient,
) -> None:
    session = await signed_up_in_cookie(http)
    new_password = PASSWORD + " again"

    changed = await call(
        http,
        CHANGE_PASSWORD,
        {
            "input": {
                "currentPassword": PASSWORD,
                "newPassword": new_password,
                "refreshTokenInCookie": True,
            }
        },
        token=session.result["accessToken"],
    )

    assert changed.result["__typename"] == "AuthPayload"
    assert changed.result["refreshToken"] is None
    assert changed.cookie is not None
    refreshed = await call(http, REFRESH, {"input": {}}, cookie=changed.cookie.value)
    assert refreshed.result["__typename"] == "AuthPayload"


@pytest.mark.parametrize("carried_by", ["cookie", "body"])
async def test_a_deactivated_users_refresh_says_the_account_was_deactivated(
    client: GraphQLClient, carried_by: str
) -> None:
    admin = await client.sign_up()
    await client.create_user(admin, "bob@example.com")
    bob = await call(client.http, LOGIN, login_input("bob@example.com", in_cookie=True))
    bob_in_body = await client.login("bob@example.com")
    deactivated = await client.execute(
        DEACTIVATE, {"id": bob.result["user"]["id"]}, token=admin.access_token
    )
    assert deactivated["data"]["deactivateUser"]["__typename"] == "User"

    if carried_by == "cookie":
        assert bob.cookie is not None
        answer = await call(client.http, REFRESH, {"input": {}}, cookie=bob.cookie.value)
        assert is_cleared(answer.cookie)
    else:
        answer = await call(
            client.http, REFRESH, {"input": {"refreshToken": bob_in_body.refresh_token}}
        )

    assert answer.result["__typename"] == "InvalidRefreshToken"
    assert answer.result["code"] == "ACCOUNT_DEACTIVATED"
    assert "deactivated" in answer.result["message"]
