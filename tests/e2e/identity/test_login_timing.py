"""login takes about as long for an unknown email as for a wrong password, so its timing does
not tell who has an account."""

import time
from pathlib import Path

import pytest

from domain.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import LOGIN, GraphQLClient


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """A bcrypt cost at which hashing, not the rest of a request, takes most of a login, as
    in production: at the suite's fast cost (4) a hash takes about a millisecond, less than
    the audit record a known address's failure writes, and the comparison measured noise."""
    return make_settings(tmp_path, database_url, bcrypt_rounds=10)


async def test_an_unknown_email_takes_about_as_long_as_a_wrong_password(
    client: GraphQLClient,
) -> None:
    await client.sign_up("ada@example.com")

    async def timed(email: str) -> float:
        started = time.perf_counter()
        body = await client.execute(LOGIN, {"input": {"email": email, "password": "wrong 123"}})
        elapsed = time.perf_counter() - started
        assert body["data"]["login"]["__typename"] == "InvalidCredentials"
        return elapsed

    known = min([await timed("ada@example.com") for _ in range(3)])
    unknown = min([await timed("nobody@example.com") for _ in range(3)])
    # Both run one bcrypt check; without the decoy hash, unknown emails return in ~1 ms.
    assert unknown > known * 0.5
