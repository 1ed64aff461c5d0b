"""Login throttling per account and per client address, shared through Redis when configured."""

import math
import time
from typing import Any

import redis.asyncio
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from domain.errors import RateLimited


class LoginThrottle:
    """Counts login attempts in a moving window; refuses once either budget is spent."""

    def __init__(self, per_account: str, per_address: str, storage_url: str | None) -> None:
        # A pool of our own (redis-py) so that closing the service closes its sockets.
        self._pool = redis.asyncio.ConnectionPool.from_url(storage_url) if storage_url else None
        if storage_url:
            uri = "async+" + storage_url
            options: dict[str, Any] = {"implementation": "redispy", "connection_pool": self._pool}
            storage = storage_from_string(uri, **options)
        else:
            uri = "async+memory://"
            storage = storage_from_string(uri)
        if not isinstance(storage, Storage):
            raise TypeError(f"not an async rate-limit storage: {uri}")
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_account = parse(per_account)
        self._per_address = parse(per_address)

    async def check(self, email: str, address: str | None) -> None:
        """Record one attempt; raise `RateLimited` when the account or address is over budget."""
        buckets: list[tuple[RateLimitItem, str]] = [(self._per_account, "account:" + email)]
        if address:
            buckets.append((self._per_address, "address:" + address))
        for item, key in buckets:
            if not await self._limiter.hit(item, "login", key):
                stats = await self._limiter.get_window_stats(item, "login", key)
                raise RateLimited(max(1, math.ceil(stats.reset_time - time.time())))

    async def close(self) -> None:
        """Release the Redis connections, if any."""
        if self._pool is not None:
            await self._pool.aclose()

    async def forget(self, email: str) -> None:
        """A successful login clears the account's count (the address keeps its own)."""
        await self._limiter.clear(self._per_account, "login", "account:" + email)
