"""The OIDC tests' operations, and the browser's round trip through the provider double."""

from http.cookies import Morsel, SimpleCookie
from typing import Any

import httpx
import httpx2

from tests.support.graphql import Account, GraphQLClient
from tests.support.oidc_provider import ProviderDouble
from tests.support.oidc_tokens import CLIENT_ID, CLIENT_SECRET, ISSUER

CONFIGURE = """
mutation($input: ConfigureOidcInput!) { configureOidc(input: $input) {
  __typename
  ... on SignInSettings { passwordSignIn oidc { name issuer clientId clientSecretSet
      clientSecretEnv allowedDomains groupsClaim adminGroups verifiedAt updatedAt } }
  ... on Error { message code }
  ... on ValidationError { field }
  ... on DomainTaken { field }
} }"""


def oidc_input(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Acme SSO",
        "issuer": ISSUER,
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "allowedDomains": ["acme.test"],
        "adminGroups": ["beacon-admins"],
    }
    values.update(changes)
    return {"input": values}


async def configure(graphql: GraphQLClient, admin: Account, **changes: Any) -> dict[str, Any]:
    """configureOidc's result member."""
    body = await graphql.execute(CONFIGURE, oidc_input(**changes), token=admin.access_token)
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["configureOidc"]
    return result


def cookies_set(response: httpx.Response) -> dict[str, Morsel[str]]:
    """The cookies a response sets (or clears), by name."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return dict(jar)


async def at_provider(provider: ProviderDouble, url: str) -> httpx.Response:
    """The browser at the provider, which signs its person in and redirects back."""
    async with httpx2.AsyncClient(transport=provider.transport) as browser:
        answer = await browser.get(url)
    assert answer.status_code == 303, answer.text
    return httpx.Response(303, headers={"location": answer.headers["location"]})


async def start(beacon: httpx.AsyncClient, email: str = "ada@acme.test") -> httpx.Response:
    return await beacon.get("/auth/oidc/start", params={"email": email})


async def round_trip(
    beacon: httpx.AsyncClient, provider: ProviderDouble, email: str = "ada@acme.test"
) -> httpx.Response:
    """Start, the provider, and the callback, as a browser follows the redirects."""
    started = await start(beacon, email)
    assert started.status_code == 303, started.text
    back = await at_provider(provider, started.headers["location"])
    return await beacon.get(back.headers["location"])
