"""Sign-up is throttled per client address, password changes per account, as login is."""

from pathlib import Path

import pytest

from domain.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import PASSWORD, SIGN_UP, GraphQLClient

CHANGE_PASSWORD = """mutation($input: ChangePasswordInput!) { changePassword(input: $input) {
  __typename ... on TooManyAttempts { retryAfterSeconds } } }"""


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        signup_rate_per_address="2/minute",
        password_change_rate_per_account="2/minute",
    )


async def sign_up(client: GraphQLClient, number: int) -> str:
    body = await client.execute(
        SIGN_UP,
        {
            "input": {
                "organizationName": f"Org {number}",
                "email": f"founder{number}@example.com",
                "password": PASSWORD,
            }
        },
    )
    return str(body["data"]["signUp"]["__typename"])


async def test_a_third_sign_up_from_one_address_in_a_minute_is_told_to_wait(
    client: GraphQLClient,
) -> None:
    results = [await sign_up(client, number) for number in range(3)]

    assert results == ["AuthPayload", "AuthPayload", "TooManyAttempts"]


async def test_a_third_password_change_of_an_account_in_a_minute_is_told_to_wait(
    client: GraphQLClient,
) -> None:
    account = await client.sign_up()

    async def change(current: str) -> dict:  # type: ignore[type-arg]
        body = await client.execute(
            CHANGE_PASSWORD,
            {"input": {"currentPassword": current, "newPassword": "a brand new passphrase"}},
            token=account.access_token,
        )
        return body["data"]["changePassword"]  # type: ignore[no-any-return]

    assert (await change("a wrong guess 1"))["__typename"] == "InvalidCredentials"
    assert (await change("a wrong guess 2"))["__typename"] == "InvalidCredentials"
    refused = await change(PASSWORD)  # even the right password waits now
    assert refused["__typename"] == "TooManyAttempts"
    assert 0 < refused["retryAfterSeconds"] <= 60
