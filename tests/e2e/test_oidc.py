"""OpenID Connect sign-in end to end: a live `beacon serve`, the real test provider (the `oidc`
service, scripts/oidc), and an HTTP client that follows the redirects as a browser would.

One organisation (Acme, `acme.test`, its OIDC configured through `configureOidc` with a client
registered on the provider for this server's callback) serves every test. Tests share an
account of scripts/oidc/accounts.json only where their sign-ins change nothing for each other
(a refused one creates no user, a second one finds the same user), so their order does not
matter. A success answers 303 to `/` with the `beacon_refresh` cookie that the web app's
refreshToken reads; a failure answers 303 to `/?signInError=<CODE>` and starts no session."""

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.cookies import Morsel, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from tests.support.graphql import PASSWORD
from tests.support.live_server import LiveServer, live_server
from tests.support.oidc import PASSWORD as PROVIDER_PASSWORD
from tests.support.oidc import (
    Organization,
    RegisteredClient,
    configure_oidc,
    follow_within,
    graphql,
    own_provider,
    register_client,
    require_oidc_issuer,
    sign_in_at_provider,
    sign_up,
)

pytestmark = [pytest.mark.embedded_process, pytest.mark.timeout(600)]

REFRESH_COOKIE = "beacon_refresh"
STATE_COOKIE = "beacon_oidc"
CALLBACK = "/auth/oidc/callback"
PROVIDER_NAME = "Acme SSO"

SIGN_IN_METHODS = """query($email: String!) { signInMethods(email: $email) {
  password provider { name startUrl } } }"""
REFRESH = """mutation { refreshToken(input: {refreshTokenInCookie: true}) {
  __typename ... on AuthPayload { accessToken } ... on Error { code message } } }"""
ME = "{ me { id email role isActive organization { id } } }"
CREATE_USER = """mutation($input: CreateUserInput!) { createUser(input: $input) {
  __typename ... on User { id } ... on Error { code message } } }"""
DEACTIVATE = "mutation($id: ID!) { deactivateUser(id: $id) { __typename } }"
LOGINS = """query($actor: ID!) { auditLog(action: "user.login", actorId: $actor) {
  edges { node { action details } } } }"""


@dataclass(frozen=True)
class Acme:
    """The organisation every test signs in to, and its client at the provider."""

    organization: Organization
    client: RegisteredClient


@pytest.fixture(scope="module")
def issuer() -> str:
    return require_oidc_issuer()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, issuer: str) -> Iterator[LiveServer]:
    # Every test signs up or signs in from 127.0.0.1: room for all of them.
    with live_server(
        tmp_path_factory.mktemp("oidc"),
        HF_HUB_OFFLINE="1",
        BEACON_SIGNUP_RATE_PER_ADDRESS="1000/hour",
        BEACON_LOGIN_RATE_PER_ADDRESS="1000/minute",
        BEACON_LOGIN_RATE_PER_ACCOUNT="1000/minute",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def acme(server: LiveServer, issuer: str) -> Acme:
    """Acme signs in with the provider for acme.test; `beacon-admins` are its ADMINs."""
    organization = sign_up(server.http_url, "Acme", "admin@acme.test", PASSWORD)
    client = register_client(issuer, server.http_url + CALLBACK)
    configure_oidc(server.http_url, organization, issuer, client, ["acme.test"], PROVIDER_NAME)
    return Acme(organization, client)


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """One person's browser: its own cookies (Beacon's and the provider's), no redirect
    followed unless a test does."""
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


# ---- the dance -----------------------------------------------------------------------------


async def start(
    http: httpx.AsyncClient, server: LiveServer, email: str, issuer: str
) -> httpx.Response:
    """GET /auth/oidc/start?email=…: asserts the 303 to the provider's authorization endpoint."""
    started = await http.get(f"{server.http_url}/auth/oidc/start", params={"email": email})
    assert started.status_code == 303, f"{started.status_code} {started.text[:500]}"
    assert started.headers["location"].startswith(issuer + "/"), started.headers["location"]
    return started


async def callback_url(
    http: httpx.AsyncClient,
    server: LiveServer,
    issuer: str,
    email: str,
    *,
    sign_in_as: str | None = None,
    cancel: bool = False,
) -> str:
    """Start for `email`, sign in at the provider as `sign_in_as` (default: `email`) or press
    Cancel: the URL of Beacon's callback the provider redirects to, not yet visited."""
    started = await start(http, server, email, issuer)
    page = await follow_within(http, await http.get(started.headers["location"]), issuer)
    back = await sign_in_at_provider(http, page, sign_in_as or email, cancel=cancel)
    assert back.is_redirect, f"the provider did not redirect back: {back.status_code} {back.text}"
    location = back.headers["location"]
    assert location.startswith(server.http_url + CALLBACK + "?"), location
    return location


def cookies_set(response: httpx.Response) -> dict[str, Morsel[str]]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return dict(jar)


def is_deleted(cookie: Morsel[str]) -> bool:
    return cookie["max-age"] == "0" or (cookie.value in ("", '""') and bool(cookie["expires"]))


def assert_signed_in(landing: httpx.Response) -> str:
    """303 to `/` with the refresh cookie: its value."""
    assert landing.status_code == 303, f"{landing.status_code} {landing.text[:500]}"
    location = urlsplit(landing.headers["location"])
    assert (location.path, location.query) == ("/", ""), landing.headers["location"]
    cookies = cookies_set(landing)
    assert REFRESH_COOKIE in cookies and cookies[REFRESH_COOKIE].value, cookies
    assert STATE_COOKIE not in cookies or is_deleted(cookies[STATE_COOKIE]), cookies
    return cookies[REFRESH_COOKIE].value


def assert_refused(landing: httpx.Response, code: str) -> None:
    """303 to `/?signInError=<code>`, no session: no refresh cookie, the state cookie gone."""
    assert landing.status_code == 303, f"{landing.status_code} {landing.text[:500]}"
    location = urlsplit(landing.headers["location"])
    assert location.path == "/", landing.headers["location"]
    assert parse_qs(location.query) == {"signInError": [code]}, landing.headers["location"]
    cookies = cookies_set(landing)
    refresh = cookies.get(REFRESH_COOKIE)
    assert refresh is None or not refresh.value or is_deleted(refresh), cookies
    assert STATE_COOKIE not in cookies or is_deleted(cookies[STATE_COOKIE]), cookies


async def session_from(http: httpx.AsyncClient, server: LiveServer, refresh: str) -> str:
    """What the web app's restore() does: refreshToken with the cookie; the access token."""
    response = await http.post(
        f"{server.http_url}/graphql",
        json={"query": REFRESH},
        headers={"cookie": f"{REFRESH_COOKIE}={refresh}"},
    )
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["refreshToken"]
    assert payload["__typename"] == "AuthPayload", payload
    return str(payload["accessToken"])


async def me(http: httpx.AsyncClient, server: LiveServer, token: str) -> dict[str, Any]:
    response = await http.post(
        f"{server.http_url}/graphql",
        json={"query": ME},
        headers={"authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]["me"]  # type: ignore[no-any-return]


async def sign_in(
    http: httpx.AsyncClient, server: LiveServer, issuer: str, email: str
) -> dict[str, Any]:
    """The whole dance for `email`; `me` of the session it gives."""
    landing = await http.get(await callback_url(http, server, issuer, email))
    refresh = assert_signed_in(landing)
    return await me(http, server, await session_from(http, server, refresh))


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


# ---- the way in ----------------------------------------------------------------------------


async def test_a_person_signs_in_through_the_provider_and_becomes_a_user_with_the_groups_role(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    methods = graphql(server.http_url, SIGN_IN_METHODS, {"email": "ada@acme.test"})
    assert methods["provider"]["name"] == PROVIDER_NAME, methods
    start_url = methods["provider"]["startUrl"]
    assert start_url.startswith("/auth/oidc/start?"), start_url
    assert parse_qs(urlsplit(start_url).query)["email"] == ["ada@acme.test"]

    # The sign-in page's button: a plain navigation to startUrl.
    started = await browser.get(server.http_url + start_url)
    assert started.status_code == 303, f"{started.status_code} {started.text[:500]}"
    authorization = urlsplit(started.headers["location"])
    discovery = (await browser.get(f"{issuer}/.well-known/openid-configuration")).json()
    endpoint = f"{authorization.scheme}://{authorization.netloc}{authorization.path}"
    assert endpoint == discovery["authorization_endpoint"]
    asked = {key: values[0] for key, values in parse_qs(authorization.query).items()}
    assert asked["response_type"] == "code"
    assert set(asked["scope"].split()) == {"openid", "email", "profile"}
    assert asked["client_id"] == acme.client.client_id
    assert asked["redirect_uri"] == server.http_url + CALLBACK
    assert asked["code_challenge_method"] == "S256"
    assert asked["login_hint"] == "ada@acme.test"
    assert asked["state"] and asked["nonce"] and asked["code_challenge"]
    state_cookie = cookies_set(started)[STATE_COOKIE]
    assert state_cookie["httponly"] and state_cookie["samesite"].lower() == "lax"
    assert state_cookie["path"] == "/auth/oidc"

    # The provider's own login page, as a person fills it in.
    page = await follow_within(browser, await browser.get(started.headers["location"]), issuer)
    back = await sign_in_at_provider(browser, page, "ada@acme.test")
    assert back.is_redirect, f"{back.status_code} {back.text}"
    landing = await browser.get(back.headers["location"])

    refresh = assert_signed_in(landing)
    token = await session_from(browser, server, refresh)
    ada = await me(browser, server, token)
    assert ada["email"] == "ada@acme.test"
    assert ada["role"] == "ADMIN"  # a member of beacon-admins
    assert ada["isActive"] is True
    assert ada["organization"]["id"] == acme.organization.id
    logins = graphql(
        server.http_url, LOGINS, {"actor": ada["id"]}, token=acme.organization.admin_token
    )
    assert [edge["node"]["details"]["method"] for edge in logins["edges"]] == ["oidc"]


async def test_a_person_outside_the_admin_groups_becomes_a_user_and_stays_one_person(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    first = await sign_in(browser, server, issuer, "bob@acme.test")

    # Another browser, another provider session: the same Beacon user.
    async with httpx.AsyncClient(timeout=30) as other:
        again = await sign_in(other, server, issuer, "bob@acme.test")

    assert first["role"] == "USER"
    assert first["organization"]["id"] == acme.organization.id
    assert again["id"] == first["id"]


async def test_the_sign_in_marks_the_configuration_verified(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    await sign_in(browser, server, issuer, "bob@acme.test")

    settings = graphql(
        server.http_url,
        "{ signInSettings { oidc { verifiedAt } } }",
        token=acme.organization.admin_token,
    )

    assert settings["oidc"]["verifiedAt"] is not None


# ---- the ways out --------------------------------------------------------------------------


async def test_an_email_of_a_domain_without_oidc_is_no_provider(
    server: LiveServer, acme: Acme, browser: httpx.AsyncClient
) -> None:
    landing = await browser.get(
        f"{server.http_url}/auth/oidc/start", params={"email": "someone@nowhere.test"}
    )

    assert_refused(landing, "NO_PROVIDER")


async def test_a_wrong_state_is_refused(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    url = await callback_url(browser, server, issuer, "bob@acme.test")
    state = parse_qs(urlsplit(url).query)["state"][0]

    landing = await browser.get(with_query(url, state=state[::-1] + "x"))

    assert_refused(landing, "STATE_MISMATCH")


async def test_a_callback_in_another_browser_than_the_start_is_refused(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    url = await callback_url(browser, server, issuer, "bob@acme.test")

    async with httpx.AsyncClient(timeout=30) as other:  # no beacon_oidc cookie
        landing = await other.get(url)

    assert_refused(landing, "STATE_MISMATCH")


async def test_a_replayed_code_is_refused(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    url = await callback_url(browser, server, issuer, "bob@acme.test")
    assert_signed_in(await browser.get(url))

    # The same URL again: the sign-in consumed its state cookie.
    assert_refused(await browser.get(url), "STATE_MISMATCH")
    # The code with a fresh state and cookie of a new start: the provider refuses it.
    async with httpx.AsyncClient(timeout=30) as attacker:
        started = await start(attacker, server, "bob@acme.test", issuer)
        fresh_state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
        landing = await attacker.get(with_query(url, state=fresh_state))

    assert_refused(landing, "CODE_REJECTED")


async def test_a_person_who_cancels_at_the_provider_is_refused_by_it(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    url = await callback_url(browser, server, issuer, "bob@acme.test", cancel=True)
    assert parse_qs(urlsplit(url).query)["error"] == ["access_denied"]

    landing = await browser.get(url)

    assert_refused(landing, "PROVIDER_REFUSED")


async def test_an_email_outside_the_allowed_domains_is_refused(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    # Acme's button, then someone else's account at the provider.
    url = await callback_url(
        browser, server, issuer, "bob@acme.test", sign_in_as="eve@elsewhere.test"
    )

    landing = await browser.get(url)

    assert_refused(landing, "EMAIL_NOT_ALLOWED")


async def test_an_unverified_email_is_refused(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    landing = await browser.get(await callback_url(browser, server, issuer, "una@acme.test"))

    assert_refused(landing, "EMAIL_NOT_ALLOWED")


async def test_a_deactivated_user_stays_out_though_the_provider_says_yes(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    cy = await sign_in(browser, server, issuer, "cy@acme.test")
    deactivated = graphql(
        server.http_url, DEACTIVATE, {"id": cy["id"]}, token=acme.organization.admin_token
    )
    assert deactivated["__typename"] == "User", deactivated

    async with httpx.AsyncClient(timeout=30) as later:
        landing = await later.get(await callback_url(later, server, issuer, "cy@acme.test"))

    assert_refused(landing, "ACCOUNT_DISABLED")


async def test_a_user_of_another_organization_is_refused(
    server: LiveServer, issuer: str, acme: Acme, browser: httpx.AsyncClient
) -> None:
    other = sign_up(server.http_url, "Other Corp", "admin@other.test", PASSWORD)
    created = graphql(
        server.http_url,
        CREATE_USER,
        {"input": {"email": "fay@acme.test", "password": PASSWORD, "role": "USER"}},
        token=other.admin_token,
    )
    assert created["__typename"] == "User", created

    landing = await browser.get(await callback_url(browser, server, issuer, "fay@acme.test"))

    assert_refused(landing, "OTHER_ORGANIZATION")


async def test_a_provider_that_goes_down_is_unreachable_at_the_callback_and_at_the_start(
    server: LiveServer, tmp_path: Path, browser: httpx.AsyncClient
) -> None:
    accounts = tmp_path / "accounts.json"
    person = {
        "sub": "zed",
        "email": "zed@down.test",
        "email_verified": True,
        "name": "Zed",
        "password": PROVIDER_PASSWORD,
        "groups": [],
    }
    accounts.write_text(json.dumps([person]))
    with own_provider(tmp_path, accounts) as provider:
        down = sign_up(server.http_url, "Down Corp", "admin@down.test", PASSWORD)
        client = register_client(provider.issuer, server.http_url + CALLBACK)
        configure_oidc(server.http_url, down, provider.issuer, client, ["down.test"], "Down SSO")
        url = await callback_url(browser, server, provider.issuer, "zed@down.test")
        provider.stop()  # the issuer's port is closed from here on

        at_callback = await browser.get(url)
        at_start = await browser.get(
            f"{server.http_url}/auth/oidc/start", params={"email": "zed@down.test"}
        )

    assert_refused(at_callback, "PROVIDER_UNREACHABLE")
    assert_refused(at_start, "PROVIDER_UNREACHABLE")
