"""login: same answer for unknown emails and wrong passwords, and throttling."""

import pytest

from tests.support.graphql import LOGIN, PASSWORD, SIGN_UP, GraphQLClient


async def login(client: GraphQLClient, email: str, password: str) -> dict:  # type: ignore[type-arg]
    body = await client.execute(LOGIN, {"input": {"email": email, "password": password}})
    return body["data"]["login"]  # type: ignore[no-any-return]


async def test_the_right_password_signs_in(client: GraphQLClient) -> None:
    await client.sign_up("ada@example.com")
    payload = await login(client, " ADA@example.com ", PASSWORD)
    assert payload["__typename"] == "AuthPayload"


async def test_a_wrong_password_and_an_unknown_email_answer_alike(client: GraphQLClient) -> None:
    await client.sign_up("ada@example.com")
    wrong = await login(client, "ada@example.com", "wrong password 123")
    unknown = await login(client, "nobody@example.com", "wrong password 123")
    assert (
        wrong
        == unknown
        == {
            "__typename": "InvalidCredentials",
            "message": "Wrong email or password.",
            "code": "INVALID_CREDENTIALS",
        }
    )


@pytest.mark.parametrize("password", ["p" * 72, "é" * 36], ids=["ascii", "multi-byte"])
async def test_a_72_byte_password_with_anything_appended_is_a_wrong_password(
    client: GraphQLClient, password: str
) -> None:
    assert len(password.encode()) == 72
    body = await client.execute(
        SIGN_UP,
        {"input": {"organizationName": "Acme", "email": "ada@example.com", "password": password}},
    )
    assert body["data"]["signUp"]["__typename"] == "AuthPayload"
    # bcrypt reads only the first 72 bytes, so these would all match the stored hash.
    for suffix in ("x", "é", " and then some more words"):
        payload = await login(client, "ada@example.com", password + suffix)
        assert payload == {
            "__typename": "InvalidCredentials",
            "message": "Wrong email or password.",
            "code": "INVALID_CREDENTIALS",
        }
    assert (await login(client, "ada@example.com", password))["__typename"] == "AuthPayload"


async def test_a_too_long_password_for_an_unknown_email_is_just_wrong_credentials(
    client: GraphQLClient,
) -> None:
    payload = await login(client, "nobody@example.com", "p" * 200)
    assert payload["__typename"] == "InvalidCredentials"


async def test_a_malformed_email_is_just_wrong_credentials(client: GraphQLClient) -> None:
    for email in ("not an email", "x" * 5000):  # longer than any stored address: the fuzzer's
        payload = await login(client, email, "whatever password")
        assert payload["__typename"] == "InvalidCredentials"


async def test_login_is_throttled_per_account(client: GraphQLClient) -> None:
    await client.sign_up("ada@example.com")
    answers = [await login(client, "ada@example.com", "wrong password 123") for _ in range(11)]
    assert [a["__typename"] for a in answers[:10]] == ["InvalidCredentials"] * 10
    assert answers[10]["__typename"] == "TooManyAttempts"
    assert answers[10]["retryAfterSeconds"] > 0
    # Even the right password waits until the window has passed.
    assert (await login(client, "ada@example.com", PASSWORD))["__typename"] == "TooManyAttempts"


async def test_login_is_throttled_per_client_address(client: GraphQLClient) -> None:
    answers = [await login(client, f"user{i}@example.com", "wrong password 123") for i in range(31)]
    assert answers[29]["__typename"] == "InvalidCredentials"
    assert answers[30]["__typename"] == "TooManyAttempts"


async def test_a_successful_login_resets_the_account_count(client: GraphQLClient) -> None:
    await client.sign_up("ada@example.com")
    for _ in range(9):
        await login(client, "ada@example.com", "wrong password 123")
    assert (await login(client, "ada@example.com", PASSWORD))["__typename"] == "AuthPayload"
    for _ in range(9):
        assert (await login(client, "ada@example.com", "bad password 1234"))[
            "__typename"
        ] == "InvalidCredentials"


async def test_signing_in_sets_last_login_at_which_only_admins_and_the_user_read(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    created = await client.execute(
        "mutation($input: CreateUserInput!) { createUser(input: $input) "
        "{ ... on User { id lastLoginAt } } }",
        {"input": {"email": "bob@example.com", "password": PASSWORD}},
        token=admin.access_token,
    )
    assert created["data"]["createUser"]["lastLoginAt"] is None  # never signed in
    bob = await client.login("bob@example.com")

    me = await client.execute("{ me { lastLoginAt } }", token=bob.access_token)
    assert me["data"]["me"]["lastLoginAt"] is not None
    users = await client.execute(
        "{ users { nodes { email lastLoginAt } } }", token=admin.access_token
    )
    seen = {node["email"]: node["lastLoginAt"] for node in users["data"]["users"]["nodes"]}
    assert seen["bob@example.com"] == me["data"]["me"]["lastLoginAt"]
    refused = await client.execute(
        "query($id: ID!) { user(id: $id) { lastLoginAt } }", {"id": admin.id},
        token=bob.access_token,
    )  # fmt: skip
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
