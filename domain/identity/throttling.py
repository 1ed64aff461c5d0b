"""Throttles shared through Redis when configured: login attempts per account and per client
address, questions and uploads per user, and the query-cost budget per user (or address) and
per organisation."""

import math
import time
from typing import Any

import redis.asyncio
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import (
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)
from limits.storage import storage_from_string
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff

from domain.errors import CostBudgetExceeded, RateLimited


class _Limiter:
    """A rate limiter in memory, or in Redis (shared by every process) when given."""

    strategy: type[RateLimiter] = MovingWindowRateLimiter

    def __init__(self, storage_url: str | None) -> None:
        # A pool of our own (redis-py) so that closing the service closes its sockets. A pool's
        # connections do not retry by default (a `Redis` client's do): give them the client's
        # default, so a pooled connection that a Redis restart closed is reopened, not an error.
        self._pool = (
            redis.asyncio.ConnectionPool.from_url(
                storage_url,
                retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=1), retries=10),
            )
            if storage_url
            else None
        )
        if storage_url:
            uri = "async+" + storage_url
            options: dict[str, Any] = {"implementation": "redispy", "connection_pool": self._pool}
            storage = storage_from_string(uri, **options)
        else:
            uri = "async+memory://"
            storage = storage_from_string(uri)
        if not isinstance(storage, Storage):
            raise TypeError(f"not an async rate-limit storage: {uri}")
        self._limiter = self.strategy(storage)

    async def close(self) -> None:
        """Release the Redis connections, if any."""
        if self._pool is not None:
            await self._pool.aclose()

    async def _hit(self, door: str, item: RateLimitItem, key: str, *, cost: int = 1) -> None:
        if not await self._limiter.hit(item, door, key, cost=cost):
            stats = await self._limiter.get_window_stats(item, door, key)
            raise RateLimited(_seconds_until(stats.reset_time))


def _seconds_until(reset_time: float) -> int:
    return max(1, math.ceil(reset_time - time.time()))


class LoginThrottle(_Limiter):
    """Counts attempts at the account doors in moving windows: logins (per account and per
    client address), sign-ups (per address) and password changes (per account); refuses once
    a budget is spent."""

    def __init__(
        self,
        per_account: str,
        per_address: str,
        storage_url: str | None,
        *,
        signups_per_address: str,
        password_changes_per_account: str,
    ) -> None:
        super().__init__(storage_url)
        self._per_account = parse(per_account)
        self._per_address = parse(per_address)
        self._signups = parse(signups_per_address)
        self._password_changes = parse(password_changes_per_account)

    async def check(self, email: str, address: str | None) -> None:
        """Record one login; raise `RateLimited` when the account or address is over budget."""
        await self._hit("login", self._per_account, "account:" + email)
        if address:
            await self._hit("login", self._per_address, "address:" + address)

    async def check_sign_up(self, address: str | None) -> None:
        """Record one sign-up from `address`; raise `RateLimited` over its budget."""
        if address:
            await self._hit("signup", self._signups, "address:" + address)

    async def check_password_change(self, user_id: str) -> None:
        """Record one password change of the account; raise `RateLimited` over its budget."""
        await self._hit("password", self._password_changes, "account:" + user_id)

    async def forget(self, email: str) -> None:
        """A successful login clears the account's count (the address keeps its own)."""
        await self._limiter.clear(self._per_account, "login", "account:" + email)


class ActionThrottle(_Limiter):
    """Per-user limits on the expensive actions, apart from the cost and token budgets: a
    question runs a search and a generator, an upload a parse and embeddings."""

    def __init__(self, asks_per_user: str, uploads_per_user: str, storage_url: str | None) -> None:
        super().__init__(storage_url)
        self._asks = parse(asks_per_user)
        self._uploads = parse(uploads_per_user)

    async def check_ask(self, user_id: str) -> None:
        """Record one question; raise `RateLimited` over the user's budget."""
        await self._hit("ask", self._asks, "user:" + user_id)

    async def check_upload(self, user_id: str, files: int = 1) -> None:
        """Record `files` uploads; raise `RateLimited`, recording none, if they would take the
        user over budget."""
        await self._hit("upload", self._uploads, "user:" + user_id, cost=files)


class CostBudget(_Limiter):
    """Query cost (estimated objects) spent per caller and per organisation in a sliding window.

    A caller is a user when signed in, else a client address; an organisation's members share
    its budget as well, so one organisation cannot starve the others. The sliding-window
    counter keeps two counters per key: a moving window would store one entry per unit of
    cost (a budget of 100,000 a minute could mean 100,000 list items per user).
    """

    strategy = SlidingWindowCounterRateLimiter

    def __init__(self, per_caller: str, per_organization: str, storage_url: str | None) -> None:
        super().__init__(storage_url)
        self._per_caller = parse(per_caller)
        self._per_organization = parse(per_organization)

    async def spend(self, cost: int, caller: str, organization: str | None) -> None:
        """Charge `cost` to every bucket, or raise `CostBudgetExceeded`.

        A refused query charges nothing (each bucket is tested before any is charged). The
        window's statistics are read only to explain a refusal: a storage round trip less.
        """
        buckets: list[tuple[RateLimitItem, str]] = [(self._per_caller, "caller:" + caller)]
        if organization:
            buckets.append((self._per_organization, "organization:" + organization))
        for item, key in buckets:
            if not await self._limiter.test(item, "cost", key, cost=cost):
                stats = await self._limiter.get_window_stats(item, "cost", key)
                raise CostBudgetExceeded(cost, stats.remaining, _seconds_until(stats.reset_time))
        for item, key in buckets:
            if not await self._limiter.hit(item, "cost", key, cost=cost):
                # A concurrent query took the rest since the test above.
                stats = await self._limiter.get_window_stats(item, "cost", key)
                raise CostBudgetExceeded(cost, stats.remaining, _seconds_until(stats.reset_time))
