"""signInMethods (public), signInSettings, configureOidc, removeOidc and setPasswordSignIn
(ADMINs), and login once passwords are off, through GraphQL."""

from typing import Any

import httpx
import pytest

from tests.e2e.identity.oidc_support import configure, round_trip
from tests.support.graphql import LOGIN, PASSWORD, Account, GraphQLClient
from tests.support.oidc_provider import ProviderDouble
from tests.support.oidc_tokens import CLIENT_SECRET

METHODS = """query($email: String!) { signInMethods(email: $email) {
  password provider { name startUrl } } }"""
SETTINGS = """{ signInSettings { passwordSignIn oidc { name clientSecretSet clientSecretEnv
  allowedDomains verifiedAt } } }"""
REMOVE = (
    "mutation { removeOidc { __typename ... on SignInSettings { passwordSignIn oidc { name } } } }"
)
SET_PASSWORDS = """mutation($enabled: Boolean!) { setPasswordSignIn(enabled: $enabled) {
  __typename ... on SignInSettings { passwordSignIn } ... on Error { code message } } }"""
AUDIT = '{ auditLog(action: "organization.sign_in_changed") { nodes { details } } }'
SECRET_FIELDS = """{ __type(name: "OidcSettings") { fields { name } } }"""


@pytest.fixture
async def verified_acme(
    beacon: httpx.AsyncClient, beacon_graphql: GraphQLClient, provider: ProviderDouble
) -> Account:
    """Acme's ADMIN, after someone of Acme signed in with its provider."""
    admin = await beacon_graphql.sign_up("admin@acme.test")
    await configure(beacon_graphql, admin)
    assert (await round_trip(beacon, provider)).headers["location"] == "/"
    beacon.cookies.clear()
    return admin


async def methods(client: GraphQLClient, email: str) -> dict[str, Any]:
    body = await client.execute(METHODS, {"email": email})
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["signInMethods"]
    return result


async def test_sign_in_methods_come_from_the_domain_alone_and_need_no_token(
    beacon_graphql: GraphQLClient,
) -> None:
    admin = await beacon_graphql.sign_up("admin@acme.test")
    assert await methods(beacon_graphql, "admin@acme.test") == {"password": True, "provider": None}
    await configure(beacon_graphql, admin)

    known = await methods(beacon_graphql, "admin@acme.test")
    unknown = await methods(beacon_graphql, "nobody@acme.test")
    assert known["provider"]["name"] == unknown["provider"]["name"] == "Acme SSO"
    assert known["password"] is unknown["password"] is True
    assert unknown["provider"]["startUrl"] == "/auth/oidc/start?email=nobody%40acme.test"
    assert await methods(beacon_graphql, "eve@elsewhere.test") == {
        "password": True,
        "provider": None,
    }


async def test_only_admins_read_and_change_the_sign_in_settings(
    beacon_graphql: GraphQLClient,
) -> None:
    admin = await beacon_graphql.sign_up("admin@acme.test")
    bob = await beacon_graphql.create_user(admin, "bob@acme.test")

    for operation, variables in (
        (SETTINGS, None),
        (REMOVE, None),
        (SET_PASSWORDS, {"enabled": True}),
    ):
        body = await beacon_graphql.execute(operation, variables, token=bob.access_token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
        anonymous = await beacon_graphql.execute(operation, variables)
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    refused = await beacon_graphql.execute(
        "mutation($input: ConfigureOidcInput!) { configureOidc(input: $input) { __typename } }",
        {
            "input": {
                "name": "x",
                "issuer": "https://idp.test",
                "clientId": "x",
                "allowedDomains": [],
            }
        },
        token=bob.access_token,
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_client_secret_is_write_only(beacon_graphql: GraphQLClient) -> None:
    admin = await beacon_graphql.sign_up("admin@acme.test")

    configured = await configure(beacon_graphql, admin)
    read = await beacon_graphql.execute(SETTINGS, token=admin.access_token)

    assert configured["oidc"]["clientSecretSet"] is True
    assert read["data"]["signInSettings"] == {
        "passwordSignIn": True,
        "oidc": {
            "name": "Acme SSO",
            "clientSecretSet": True,
            "clientSecretEnv": None,
            "allowedDomains": ["acme.test"],
            "verifiedAt": None,
        },
    }
    fields = await beacon_graphql.execute(SECRET_FIELDS, token=admin.access_token)
    names = {field["name"] for field in fields["data"]["__type"]["fields"]}
    assert {name for name in names if "ecret" in name} == {"clientSecretSet", "clientSecretEnv"}
    audit = await beacon_graphql.execute(AUDIT, token=admin.access_token)
    (event,) = audit["data"]["auditLog"]["nodes"]
    assert event["details"]["clientSecret"] == "stored"
    assert CLIENT_SECRET not in str(configured) + str(read) + str(audit)


async def test_a_domain_of_another_organisations_provider_is_taken(
    beacon_graphql: GraphQLClient,
) -> None:
    acme = await beacon_graphql.sign_up("admin@acme.test")
    other = await beacon_graphql.sign_up("admin@other.test", organization="Other")
    await configure(beacon_graphql, acme)

    taken = await configure(beacon_graphql, other, allowedDomains=["other.test", "acme.test"])

    assert taken["__typename"] == "DomainTaken"
    assert taken["code"] == "DOMAIN_TAKEN" and taken["field"] == "allowedDomains"


async def test_an_issuer_whose_discovery_fails_is_not_configured(
    beacon_graphql: GraphQLClient, provider: ProviderDouble
) -> None:
    admin = await beacon_graphql.sign_up("admin@acme.test")
    provider.discovery_changes = {"issuer": "https://impostor.test"}

    failed = await configure(beacon_graphql, admin)

    assert failed["__typename"] == "OidcDiscoveryFailed"
    assert failed["code"] == "OIDC_DISCOVERY_FAILED"
    settings = await beacon_graphql.execute(SETTINGS, token=admin.access_token)
    assert settings["data"]["signInSettings"]["oidc"] is None


async def test_bad_input_names_its_field(beacon_graphql: GraphQLClient) -> None:
    admin = await beacon_graphql.sign_up("admin@acme.test")
    refused = await configure(beacon_graphql, admin, allowedDomains=["not a domain"])
    assert refused["__typename"] == "ValidationError" and refused["field"] == "allowedDomains"


async def test_passwords_stay_on_until_the_provider_signed_someone_in(
    beacon_graphql: GraphQLClient,
) -> None:
    admin = await beacon_graphql.sign_up("admin@acme.test")
    await configure(beacon_graphql, admin)

    body = await beacon_graphql.execute(SET_PASSWORDS, {"enabled": False}, token=admin.access_token)

    refused = body["data"]["setPasswordSignIn"]
    assert refused["__typename"] == "OidcNotVerified" and refused["code"] == "OIDC_NOT_VERIFIED"
    assert (await beacon_graphql.login("admin@acme.test")).access_token


async def test_with_passwords_off_login_names_the_provider_and_removing_it_turns_them_on(
    beacon_graphql: GraphQLClient, verified_acme: Account
) -> None:
    body = await beacon_graphql.execute(
        SET_PASSWORDS, {"enabled": False}, token=verified_acme.access_token
    )
    assert body["data"]["setPasswordSignIn"] == {
        "__typename": "SignInSettings",
        "passwordSignIn": False,
    }

    right = await beacon_graphql.execute(
        LOGIN, {"input": {"email": "admin@acme.test", "password": PASSWORD}}
    )
    wrong = await beacon_graphql.execute(
        LOGIN, {"input": {"email": "admin@acme.test", "password": "not the password"}}
    )
    assert right["data"]["login"]["__typename"] == "PasswordSignInDisabled"
    assert right["data"]["login"]["code"] == "PASSWORD_SIGN_IN_DISABLED"
    assert right["data"]["login"]["message"] == "Your organization signs in with Acme SSO."
    assert wrong["data"]["login"]["code"] == "INVALID_CREDENTIALS"
    assert (await methods(beacon_graphql, "admin@acme.test"))["password"] is False

    removed = await beacon_graphql.execute(REMOVE, token=verified_acme.access_token)
    assert removed["data"]["removeOidc"] == {
        "__typename": "SignInSettings",
        "passwordSignIn": True,
        "oidc": None,
    }
    assert (await beacon_graphql.login("admin@acme.test")).access_token
    audit = await beacon_graphql.execute(AUDIT, token=verified_acme.access_token)
    details = [event["details"] for event in audit["data"]["auditLog"]["nodes"]]
    assert details[:2] == [{"oidc": "removed", "passwordSignIn": True}, {"passwordSignIn": False}]
