"""Many parallel mutations on the database under test."""

import asyncio
from pathlib import Path

import pytest

from domain.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import PASSWORD, SIGN_UP, GraphQLClient


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Every sign-up here comes from one client address: lift its hourly budget."""
    return make_settings(tmp_path, database_url, signup_rate_per_address="1000/minute")


async def test_50_parallel_sign_ups_all_succeed(client: GraphQLClient) -> None:
    async def sign_up(i: int) -> dict:  # type: ignore[type-arg]
        return await client.execute(
            SIGN_UP,
            {
                "input": {
                    "organizationName": f"Org {i}",
                    "email": f"u{i}@example.com",
                    "password": PASSWORD,
                }
            },
        )

    bodies = await asyncio.gather(*(sign_up(i) for i in range(50)))
    assert [b.get("errors") for b in bodies] == [None] * 50
    assert {b["data"]["signUp"]["__typename"] for b in bodies} == {"AuthPayload"}


async def test_racing_sign_ups_with_one_email_create_one_account(client: GraphQLClient) -> None:
    async def sign_up(i: int) -> str:
        body = await client.execute(
            SIGN_UP,
            {
                "input": {
                    "organizationName": f"Org {i}",
                    "email": "same@example.com",
                    "password": PASSWORD,
                }
            },
        )
        return str(body["data"]["signUp"]["__typename"])

    outcomes = await asyncio.gather(*(sign_up(i) for i in range(10)))
    assert sorted(outcomes) == ["AuthPayload"] + ["EmailAlreadyRegistered"] * 9


async def test_a_refresh_token_raced_against_itself_rotates_once_and_the_winner_dies_too(
    client: GraphQLClient,
) -> None:
    account = await client.sign_up()
    query = """mutation($t: String!) { refreshToken(input: {refreshToken: $t}) {
        __typename ... on AuthPayload { accessToken refreshToken } ... on Error { code } } }"""
    bodies = await asyncio.gather(
        *(client.execute(query, {"t": account.refresh_token}) for _ in range(5))
    )
    payloads = [b["data"]["refreshToken"] for b in bodies]
    kinds = sorted(p["__typename"] for p in payloads)
    assert kinds == ["AuthPayload"] + ["InvalidRefreshToken"] * 4
    # A loser that arrives after another one revoked the family just finds a revoked token.
    codes = [p["code"] for p in payloads if "code" in p]
    assert "REFRESH_TOKEN_REUSED" in codes
    assert set(codes) <= {"REFRESH_TOKEN_REUSED", "INVALID_TOKEN"}
    # The losers saw a reuse: the family is revoked, including the pair the winner received,
    # whichever of them committed first.
    (winner,) = (p for p in payloads if p["__typename"] == "AuthPayload")
    again = await client.execute(query, {"t": winner["refreshToken"]})
    assert again["data"]["refreshToken"]["__typename"] == "InvalidRefreshToken"
    me = await client.execute("{ me { id } }", token=winner["accessToken"])
    assert me["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
