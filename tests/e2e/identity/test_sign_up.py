"""signUp and createUser through the ASGI app."""

import pytest

from tests.support.graphql import CREATE_USER, PASSWORD, SIGN_UP, GraphQLClient


def sign_up_input(**overrides: str) -> dict[str, dict[str, str]]:
    values = {"organizationName": "Acme", "email": "ada@example.com", "password": PASSWORD}
    values.update(overrides)
    return {"input": values}


async def test_sign_up_creates_an_organisation_and_its_first_admin(client: GraphQLClient) -> None:
    body = await client.execute(SIGN_UP, sign_up_input(email="Ada@Example.COM"))
    payload = body["data"]["signUp"]
    assert payload["__typename"] == "AuthPayload"
    assert payload["user"]["email"] == "ada@example.com"
    assert payload["user"]["role"] == "ADMIN"
    assert payload["user"]["organization"]["name"] == "Acme"
    assert payload["accessToken"] and payload["refreshToken"].startswith("rt_")


async def test_an_address_on_an_active_directory_domain_can_sign_up(client: GraphQLClient) -> None:
    body = await client.execute(SIGN_UP, sign_up_input(email="ada@corp.local"))
    assert body["data"]["signUp"]["user"]["email"] == "ada@corp.local"


async def test_a_duplicate_email_is_a_union_error(client: GraphQLClient) -> None:
    await client.sign_up("ada@example.com")
    body = await client.execute(SIGN_UP, sign_up_input(email="ADA@example.com"))
    assert body["data"]["signUp"]["__typename"] == "EmailAlreadyRegistered"
    assert body["data"]["signUp"]["code"] == "EMAIL_TAKEN"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"email": "not-an-email"}, "email", "INVALID_INPUT"),
        ({"email": "a@b"}, "email", "INVALID_INPUT"),
        ({"password": "short"}, "password", "WEAK_PASSWORD"),
        ({"password": "x" * 73}, "password", "WEAK_PASSWORD"),
        ({"password": "é" * 37}, "password", "WEAK_PASSWORD"),  # 37 chars, 74 bytes
        ({"organizationName": "   "}, "organizationName", "INVALID_INPUT"),
    ],
)
async def test_bad_sign_up_input_is_a_validation_error_never_a_500(
    client: GraphQLClient, overrides: dict[str, str], field: str, code: str
) -> None:
    body = await client.execute(SIGN_UP, sign_up_input(**overrides))
    payload = body["data"]["signUp"]
    assert payload["__typename"] == "ValidationError", payload
    assert payload["field"] == field
    assert payload["code"] == code


async def test_a_72_byte_password_is_accepted(client: GraphQLClient) -> None:
    body = await client.execute(SIGN_UP, sign_up_input(password="y" * 72))
    assert body["data"]["signUp"]["__typename"] == "AuthPayload"


async def test_admins_create_users_in_their_own_organisation(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    user = await client.create_user(admin, "bob@example.com")
    me = await client.execute("{ me { role organization { id } } }", token=user.access_token)
    assert me["data"]["me"] == {"role": "USER", "organization": {"id": admin.organization_id}}


async def test_a_user_cannot_create_users(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    user = await client.create_user(admin, "bob@example.com")
    body = await client.execute(
        CREATE_USER,
        {"input": {"email": "eve@example.com", "password": PASSWORD}},
        token=user.access_token,
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_create_user_refuses_a_duplicate_email_from_another_organisation(
    client: GraphQLClient,
) -> None:
    await client.sign_up("ada@example.com", "Acme")
    other = await client.sign_up("grace@example.com", "Globex")
    body = await client.execute(
        CREATE_USER,
        {"input": {"email": "ada@example.com", "password": PASSWORD}},
        token=other.access_token,
    )
    assert body["data"]["createUser"]["__typename"] == "EmailAlreadyRegistered"


async def test_anyone_can_ask_whether_sign_up_is_open(client: GraphQLClient) -> None:
    body = await client.execute("{ signUpEnabled }")
    assert body == {"data": {"signUpEnabled": True}}


async def test_sign_up_can_be_disabled(settings, services) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from api.app import create_app
    from domain.bootstrap import build_services

    closed = settings.model_copy(update={"signup_enabled": False})
    app = create_app(closed, build_services(closed))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://beacon.test"
    ) as http:
        body = await GraphQLClient(http).execute(SIGN_UP, sign_up_input())
        asked = await GraphQLClient(http).execute("{ signUpEnabled }")
    assert body["data"]["signUp"]["__typename"] == "SignUpDisabled"
    assert asked == {"data": {"signUpEnabled": False}}
