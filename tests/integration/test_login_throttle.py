"""Login throttling shared through Redis, as N API replicas need it."""

import secrets
from pathlib import Path

import pytest

from domain.errors import RateLimited
from domain.identity.throttling import LoginThrottle
from tests.support.databases import REDIS_URL, redis_unreachable_reason
from tests.support.processes import private_redis
from tests.support.services import require


def make_throttle(per_account: str, per_address: str, url: str | None) -> LoginThrottle:
    """A login throttle with these budgets (sign-ups and password changes: ample)."""
    return LoginThrottle(
        per_account,
        per_address,
        url,
        signups_per_address="100/minute",
        password_changes_per_account="100/minute",
    )


@pytest.fixture
def redis_url() -> str:
    if reason := redis_unreachable_reason():
        require(reason)
    return REDIS_URL


async def test_two_replicas_share_one_account_budget(redis_url: str) -> None:
    email = f"{secrets.token_hex(4)}@example.com"
    first = make_throttle("3/minute", "100/minute", redis_url)
    second = make_throttle("3/minute", "100/minute", redis_url)
    await first.check(email, "198.51.100.1")
    await second.check(email, "198.51.100.2")
    await first.check(email, "198.51.100.3")
    with pytest.raises(RateLimited) as refused:
        await second.check(email, "198.51.100.4")
    assert 0 < refused.value.retry_after <= 60
    await first.forget(email)
    await second.check(email, "198.51.100.5")
    await first.close()
    await second.close()


async def test_the_memory_store_throttles_per_address() -> None:
    throttle = make_throttle("100/minute", "2/minute", None)
    await throttle.check("a@example.com", "198.51.100.9")
    await throttle.check("b@example.com", "198.51.100.9")
    with pytest.raises(RateLimited):
        await throttle.check("c@example.com", "198.51.100.9")
    await throttle.check("c@example.com", "198.51.100.10")


async def test_the_shared_budget_survives_a_redis_restart(tmp_path: Path) -> None:
    with private_redis(tmp_path) as server:
        throttle = make_throttle("100/minute", "100/minute", server.url)
        try:
            await throttle.check("ada@example.com", "198.51.100.1")
            server.stop()
            server.start()
            # The pooled connection the restart closed is reopened, not reported as an error.
            await throttle.check("ada@example.com", "198.51.100.1")
        finally:
            await throttle.close()
