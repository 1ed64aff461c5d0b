"""The test OpenID provider (scripts/oidc, the `oidc` service of ./scripts/services): where it
is, a client registered on it, PKCE, and its login page driven as a person would."""

import base64
import hashlib
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from tests.support.live_server import free_port
from tests.support.services import require

ISSUER_VARIABLE = "BEACON_TEST_OIDC_ISSUER"
# scripts/oidc/accounts.json: the one password of every account.
PASSWORD = "provider-pass"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "oidc"
# Node 22 from npm (`node@22` in scripts/oidc/package.json), installed by ./scripts/services.
NODE = SCRIPT / "node_modules" / ".bin" / "node"


def oidc_issuer() -> str | None:
    """The configured test provider's issuer, or None."""
    return os.environ.get(ISSUER_VARIABLE) or None


def oidc_unreachable_reason() -> str | None:
    """Why the test provider cannot serve the suite, or None when it can."""
    issuer = oidc_issuer()
    if issuer is None:
        return f'{ISSUER_VARIABLE} is not set: eval "$(./scripts/services start oidc)" sets it'
    try:
        discovery = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=3)
        discovery.raise_for_status()
    except httpx.HTTPError as error:
        return f"the OpenID provider at {issuer} does not answer ({error!r})"
    return None


def require_oidc_issuer() -> str:
    """The test provider's issuer, or skip (fail in CI) saying how to start it."""
    require(oidc_unreachable_reason())
    issuer = oidc_issuer()
    assert issuer is not None
    return issuer


@dataclass(frozen=True)
class RegisteredClient:
    """A client registered on the provider (RFC 7591) for one redirect URI."""

    client_id: str
    client_secret: str
    redirect_uri: str


def register_client(issuer: str, redirect_uri: str) -> RegisteredClient:
    """A confidential web client allowed to redirect to `redirect_uri` only."""
    discovery = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    response = httpx.post(
        discovery["registration_endpoint"],
        json={
            "client_name": "Beacon tests",
            "redirect_uris": [redirect_uri],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
            "token_endpoint_auth_method": "client_secret_basic",
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    client = response.json()
    return RegisteredClient(client["client_id"], client["client_secret"], redirect_uri)


async def discover(http: httpx.AsyncClient, issuer: str) -> dict[str, str]:
    """The provider's discovery document."""
    response = await http.get(f"{issuer}/.well-known/openid-configuration")
    assert response.status_code == 200, response.text
    document: dict[str, str] = response.json()
    return document


@dataclass(frozen=True)
class Pkce:
    """A PKCE verifier and its S256 challenge (RFC 7636)."""

    verifier: str
    challenge: str


def pkce() -> Pkce:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return Pkce(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


async def follow_within(
    http: httpx.AsyncClient, response: httpx.Response, origin: str
) -> httpx.Response:
    """Follow redirects while they stay on `origin`: the answer is the first page there, or
    the redirect that leaves it (not followed)."""
    for _ in range(10):
        if not response.is_redirect:
            return response
        target = urljoin(str(response.url), response.headers["location"])
        if not target.startswith(origin.rstrip("/") + "/"):
            return response
        response = await http.get(target)
    raise AssertionError(f"more than 10 redirects within {origin}")


class _Forms(HTMLParser):
    """The login page's form: its action, input names and button labels."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.inputs: list[str] = []
        self.buttons: list[str] = []
        self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action")
        elif tag == "input" and values.get("name"):
            self.inputs.append(values["name"] or "")
        elif tag == "button":
            self._in_button = True
            self.buttons.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._in_button = False

    def handle_data(self, data: str) -> None:
        if self._in_button:
            self.buttons[-1] += data.strip()


@dataclass(frozen=True)
class LoginForm:
    """The provider's login page as a person sees it."""

    action: str
    inputs: list[str]
    buttons: list[str]


def login_form(page: httpx.Response) -> LoginForm:
    """The form of the provider's login page (asserts there is one)."""
    assert page.status_code in (200, 401), f"not the login page: {page.status_code} {page.text}"
    parsed = _Forms()
    parsed.feed(page.text)
    assert parsed.action, f"no form on the provider's page: {page.text}"
    return LoginForm(urljoin(str(page.url), parsed.action), parsed.inputs, parsed.buttons)


async def sign_in_at_provider(
    http: httpx.AsyncClient,
    login_page: httpx.Response,
    email: str,
    password: str = PASSWORD,
    *,
    cancel: bool = False,
) -> httpx.Response:
    """Fill in and submit the provider's login form (or press Cancel); the answer is the
    provider's redirect back to the client (not followed), or its page when it stays."""
    form = login_form(login_page)
    fields = {"login": email, "password": password}
    if cancel:
        fields = {"abort": "1"}
    submitted = await http.post(form.action, data=fields)
    origin = str(login_page.url.copy_with(path="/", query=None, fragment=None))
    return await follow_within(http, submitted, origin)


@dataclass(frozen=True)
class OwnProvider:
    """A provider process of the test's own."""

    issuer: str
    process: "subprocess.Popen[bytes]"

    def stop(self) -> None:
        """Stop it and wait until it is gone: its port is closed when this returns."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def own_provider(directory: Path, accounts: Path | None = None) -> Iterator[OwnProvider]:
    """The provider on a free port of the test's own, which the test may stop (the `oidc`
    service must keep running for every other test); `accounts` replaces accounts.json."""
    if not NODE.exists():
        require(f"{NODE} is missing: ./scripts/services start oidc installs it (npm ci)")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    log = (directory / "oidc.log").open("wb")
    process = subprocess.Popen(
        [str(NODE), str(SCRIPT / "provider.mjs")],
        env={
            **os.environ,
            "OIDC_PORT": str(port),
            "OIDC_ISSUER": issuer,
            "OIDC_ACCOUNTS": str(accounts or SCRIPT / "accounts.json"),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = OwnProvider(issuer, process)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the provider exited: {(directory / 'oidc.log').read_text()}")
            try:
                httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise TimeoutError("the provider did not answer in 30 s") from None
                time.sleep(0.1)
        yield provider
    finally:
        provider.stop()
        log.close()


# ---- Beacon's side, through the contract's GraphQL (OIDC.md) ---------------------------------

SIGN_UP = """mutation($input: SignUpInput!) { signUp(input: $input) {
  __typename ... on AuthPayload { accessToken user { id organization { id } } }
  ... on Error { code message } } }"""
CONFIGURE_OIDC = """mutation($input: ConfigureOidcInput!) { configureOidc(input: $input) {
  __typename
  ... on SignInSettings { passwordSignIn oidc { name issuer clientId clientSecretSet
    allowedDomains groupsClaim adminGroups verifiedAt } }
  ... on Error { code message } } }"""


def graphql(
    base_url: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """The operation's single result field on a live server (asserts no GraphQL errors)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base_url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    result: dict[str, Any] = next(iter(body["data"].values()))
    return result


@dataclass(frozen=True)
class Organization:
    """An organisation signed up on a live server, and its ADMIN's access token."""

    id: str
    admin_token: str


def sign_up(base_url: str, name: str, admin_email: str, password: str) -> Organization:
    """A new organisation through signUp, `admin_email` its ADMIN."""
    payload = graphql(
        base_url,
        SIGN_UP,
        {"input": {"organizationName": name, "email": admin_email, "password": password}},
    )
    assert payload["__typename"] == "AuthPayload", payload
    return Organization(payload["user"]["organization"]["id"], payload["accessToken"])


def configure_oidc(
    base_url: str,
    organization: Organization,
    issuer: str,
    client: RegisteredClient,
    domains: list[str],
    name: str,
) -> dict[str, Any]:
    """configureOidc as the organisation's ADMIN; `beacon-admins` become ADMINs."""
    result = graphql(
        base_url,
        CONFIGURE_OIDC,
        {
            "input": {
                "name": name,
                "issuer": issuer,
                "clientId": client.client_id,
                "clientSecret": client.client_secret,
                "allowedDomains": domains,
                "groupsClaim": "groups",
                "adminGroups": ["beacon-admins"],
            }
        },
        token=organization.admin_token,
    )
    assert result["__typename"] == "SignInSettings", result
    return result
