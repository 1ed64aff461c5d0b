"""GET /auth/oidc/start and /auth/oidc/callback: a browser's round trip through the
organisation's OpenID provider (an in-process double) ends signed in, its refresh cookie set,
on the web app; every failure ends on /?signInError=<CODE> with no session."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from domain.identity.models import OidcProvider, RefreshToken, User
from tests.e2e.identity.oidc_support import at_provider, configure, cookies_set, round_trip, start
from tests.support.graphql import Account, GraphQLClient
from tests.support.oidc_provider import Person, ProviderDouble
from tests.support.oidc_tokens import CLIENT_ID, signed, signing_key

REFRESH = """mutation { refreshToken(input: {refreshTokenInCookie: true}) {
  __typename ... on AuthPayload { user { email role } } ... on Error { code } } }"""
AUDIT = '{ auditLog(action: "user.login") { nodes { details actor { email } } } }'


@pytest.fixture
async def acme(beacon_graphql: GraphQLClient) -> Account:
    """Acme's ADMIN, Acme signing in with the provider for acme.test."""
    admin = await beacon_graphql.sign_up("admin@acme.example")
    assert (await configure(beacon_graphql, admin))["__typename"] == "SignInSettings"
    return admin


def assert_refused(response: httpx.Response, code: str) -> None:
    """303 to the web app with the code, the attempt forgotten, no session handed over."""
    assert response.status_code == 303
    assert response.headers["location"] == f"/?signInError={code}"
    cookies = cookies_set(response)
    assert "beacon_refresh" not in cookies
    assert cookies["beacon_oidc"]["max-age"] == "0"


async def test_start_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(
    beacon: httpx.AsyncClient, acme: Account
) -> None:
    started = await start(beacon, "Ada@Acme.test")

    assert started.status_code == 303
    target = urlsplit(started.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://idp.test/authorize"
    query = {name: values[0] for name, values in parse_qs(target.query).items()}
    assert query["response_type"] == "code"
    assert query["scope"] == "openid email profile"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://beacon.test/auth/oidc/callback"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["login_hint"] == "ada@acme.test"
    attempt = cookies_set(started)["beacon_oidc"]
    assert query["state"] not in attempt.value  # sealed, not readable
    assert attempt["httponly"] and attempt["samesite"].lower() == "lax"
    assert attempt["path"] == "/auth/oidc" and attempt["max-age"] == "600"
    assert started.headers["cache-control"] == "no-store"


async def test_a_first_sign_in_creates_the_user_with_the_role_of_their_groups_and_signs_in(
    beacon: httpx.AsyncClient,
    beacon_graphql: GraphQLClient,
    provider: ProviderDouble,
    acme: Account,
) -> None:
    provider.person = Person("ada@acme.test", groups=["staff", "beacon-admins"])

    back = await round_trip(beacon, provider)

    assert back.status_code == 303 and back.headers["location"] == "/"
    cookies = cookies_set(back)
    assert cookies["beacon_oidc"]["max-age"] == "0"
    refresh = cookies["beacon_refresh"]
    assert refresh.value.startswith("rt_") and refresh["httponly"]
    assert refresh["path"] == "/graphql" and refresh["samesite"].lower() == "strict"
    # The web app's restore(): a refresh through the cookie.
    beacon.cookies.clear()
    answer = await beacon.post(
        "/graphql", json={"query": REFRESH}, headers={"cookie": f"beacon_refresh={refresh.value}"}
    )
    assert answer.json()["data"]["refreshToken"]["user"] == {
        "email": "ada@acme.test",
        "role": "ADMIN",
    }
    provider_row = await OidcProvider.get(organization_id=acme.organization_id)
    assert provider_row.verified_at is not None
    audit = await beacon_graphql.execute(AUDIT, token=acme.access_token)
    (login,) = audit["data"]["auditLog"]["nodes"]
    assert login == {"details": {"method": "oidc"}, "actor": {"email": "ada@acme.test"}}


async def test_the_role_is_set_at_creation_only_and_groups_outside_the_admin_groups_give_user(
    beacon: httpx.AsyncClient, provider: ProviderDouble, acme: Account
) -> None:
    provider.person = Person("bob@acme.test", groups=["staff"])
    assert (await round_trip(beacon, provider, "bob@acme.test")).headers["location"] == "/"
    provider.person = Person("bob@acme.test", groups=["beacon-admins"])
    assert (await round_trip(beacon, provider, "bob@acme.test")).headers["location"] == "/"

    bob = await User.get(email="bob@acme.test")
    assert bob.role.value == "USER" and str(bob.organization_id) == acme.organization_id
    assert await RefreshToken.filter(user_id=bob.id).count() == 2


async def test_an_existing_password_user_of_the_organisation_signs_in_as_themself(
    beacon: httpx.AsyncClient,
    beacon_graphql: GraphQLClient,
    provider: ProviderDouble,
    acme: Account,
) -> None:
    await beacon_graphql.create_user(acme, "carl@acme.test")
    provider.person = Person("Carl@acme.test")

    assert (await round_trip(beacon, provider, "carl@acme.test")).headers["location"] == "/"
    assert await User.filter(email="carl@acme.test").count() == 1


async def test_an_email_of_no_providers_domain_has_no_provider(
    beacon: httpx.AsyncClient, acme: Account
) -> None:
    for email in ("eve@elsewhere.test", "not an email"):
        assert_refused(await start(beacon, email), "NO_PROVIDER")
    assert_refused(await beacon.get("/auth/oidc/start"), "NO_PROVIDER")


async def test_a_provider_that_is_down_at_the_start_is_unreachable(
    beacon: httpx.AsyncClient, provider: ProviderDouble, acme: Account
) -> None:
    provider.down = True
    assert_refused(await start(beacon), "PROVIDER_UNREACHABLE")


async def test_a_provider_that_goes_down_before_the_callback_is_unreachable(
    beacon: httpx.AsyncClient, provider: ProviderDouble, acme: Account
) -> None:
    started = await start(beacon)
    back = await at_provider(provider, started.headers["location"])
    provider.down = True

    assert_refused(await beacon.get(back.headers["location"]), "PROVIDER_UNREACHABLE")
    assert not await User.exists(email="ada@acme.test")


async def test_a_callback_without_the_attempt_cookie_or_with_another_state_mismatches(
    beacon: httpx.AsyncClient, provider: ProviderDouble, acme: Account
) -> None:
    started = await start(beacon)
    back = (await at_provider(provider, started.headers["location"])).headers["location"]
    attempt = cookies_set(started)["beacon_oidc"].value
    query = parse_qs(urlsplit(back).query)

    beacon.cookies.clear()
    assert_refused(await beacon.get(back), "STATE_MISMATCH")
    forged_state = f"/auth/oidc/callback?code={query['code'][0]}&state=forged"
    assert_refused(
        await beacon.get(forged_state, headers={"cookie": f"beacon_oidc={attempt}"}),
        "STATE_MISMATCH",
    )
    assert_refused(
        await beacon.get(back, headers={"cookie": "beacon_oidc=forged"}), "STATE_MISMATCH"
    )
    assert not await User.exists(email="ada@acme.test")


async def test_a_provider_that_refuses_the_person_is_reported(
    beacon: httpx.AsyncClient, provider: ProviderDouble, acme: Account
) -> None:
    provider.refuse = "access_denied"
    assert_refused(await round_trip(beacon, provider), "PROVIDER_REFUSED")


async def test_a_replayed_code_is_rejected(
    beacon: httpx.AsyncClient, provider: ProviderDouble, acme: Account
) -> None:
    started = await start(beacon)
    back = (await at_provider(provider, started.headers["location"])).headers["location"]
    attempt = cookies_set(started)["beacon_oidc"].value
    headers = {"cookie": f"beacon_oidc={attempt}"}
    beacon.cookies.clear()
    assert (await beacon.get(back, headers=headers)).headers["location"] == "/"

    beacon.cookies.clear()
    assert_refused(await beacon.get(back, headers=headers), "CODE_REJECTED")


@pytest.mark.parametrize(
    "forgery",
    ["another issuer", "another audience", "expired", "another nonce", "an unknown key"],
)
async def test_an_id_token_that_fails_verification_is_invalid(
    beacon: httpx.AsyncClient, provider: ProviderDouble, acme: Account, forgery: str
) -> None:
    if forgery == "another issuer":
        provider.claim_changes = {"iss": "https://evil.test"}
    elif forgery == "another audience":
        provider.claim_changes = {"aud": "another-client"}
    elif forgery == "expired":
        provider.claim_changes = {"iat": 1_700_000_000, "exp": 1_700_000_300}
    elif forgery == "another nonce":
        provider.claim_changes = {"nonce": "of-another-attempt"}
    else:

        def stranger(values: dict[str, object]) -> str:
            return signed(values, key=signing_key("stranger"))

        provider.sign = stranger

    assert_refused(await round_trip(beacon, provider), "TOKEN_INVALID")
    assert not await User.exists(email="ada@acme.test")


@pytest.mark.parametrize(
    "person",
    [
        Person("eve@elsewhere.test"),
        Person("una@acme.test", email_verified=False),
        Person(None),
    ],
    ids=["outside the domains", "unverified", "no email"],
)
async def test_an_email_the_organisation_does_not_allow_is_refused(
    beacon: httpx.AsyncClient, provider: ProviderDouble, acme: Account, person: Person
) -> None:
    provider.person = person
    assert_refused(await round_trip(beacon, provider), "EMAIL_NOT_ALLOWED")
    assert await User.all().count() == 1  # the ADMIN only


async def test_an_email_verified_false_as_a_string_is_unverified_too(
    beacon: httpx.AsyncClient, provider: ProviderDouble, acme: Account
) -> None:
    provider.claim_changes = {"email_verified": "false"}
    assert_refused(await round_trip(beacon, provider), "EMAIL_NOT_ALLOWED")


async def test_a_deactivated_user_stays_out_when_the_provider_says_yes(
    beacon: httpx.AsyncClient,
    beacon_graphql: GraphQLClient,
    provider: ProviderDouble,
    acme: Account,
) -> None:
    bob = await beacon_graphql.create_user(acme, "bob@acme.test")
    deactivate = "mutation($id: ID!) { deactivateUser(id: $id) { __typename } }"
    await beacon_graphql.execute(deactivate, {"id": bob.id}, token=acme.access_token)
    sessions = await RefreshToken.filter(user_id=bob.id).count()
    provider.person = Person("bob@acme.test")

    assert_refused(await round_trip(beacon, provider, "bob@acme.test"), "ACCOUNT_DISABLED")
    assert await RefreshToken.filter(user_id=bob.id).count() == sessions


async def test_a_user_of_another_organisation_is_not_signed_in_here(
    beacon: httpx.AsyncClient,
    beacon_graphql: GraphQLClient,
    provider: ProviderDouble,
    acme: Account,
) -> None:
    other = await beacon_graphql.sign_up("carol@acme.test", organization="Other")
    provider.person = Person("carol@acme.test")

    assert_refused(await round_trip(beacon, provider, "carol@acme.test"), "OTHER_ORGANIZATION")
    assert await RefreshToken.filter(user_id=other.id).count() == 1  # sign-up's own
