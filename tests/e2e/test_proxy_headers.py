"""Client addresses behind a proxy: X-Forwarded-For counts only from a trusted proxy."""

from pathlib import Path

import httpx
import pytest

from tests.support.graphql import LOGIN
from tests.support.live_server import LiveServer, live_server

pytestmark = pytest.mark.embedded_process


def logins_from_claimed_addresses(server: LiveServer, count: int) -> list[str]:
    """`count` failed logins, each claiming another client address; their result types."""
    results = []
    for number in range(count):
        body = httpx.post(
            f"{server.http_url}/graphql",
            json={
                "query": LOGIN,
                "variables": {
                    "input": {"email": f"nobody{number}@example.com", "password": "x" * 12}
                },
            },
            headers={"x-forwarded-for": f"198.51.100.{number + 1}"},
            timeout=30,
        ).json()
        results.append(body["data"]["login"]["__typename"])
    return results


def test_a_local_client_cannot_claim_other_addresses_by_default(tmp_path: Path) -> None:
    with live_server(tmp_path, BEACON_LOGIN_RATE_PER_ADDRESS="2/minute") as server:
        results = logins_from_claimed_addresses(server, 3)

    assert results == ["InvalidCredentials", "InvalidCredentials", "TooManyAttempts"]


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_budget(
    tmp_path: Path,
) -> None:
    with live_server(
        tmp_path,
        BEACON_LOGIN_RATE_PER_ADDRESS="2/minute",
        BEACON_FORWARDED_ALLOW_IPS="127.0.0.1, ::1",
    ) as server:
        results = logins_from_claimed_addresses(server, 3)

    assert results == ["InvalidCredentials"] * 3
