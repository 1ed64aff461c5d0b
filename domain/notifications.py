"""Change notifications ("row X changed"): in-process for the embedded default, Redis pub/sub
otherwise. Documents announce ingestion progress on them; users announce that their sessions
ended, so that every API process closes their open websockets.

An event only says "X changed"; subscribers re-read the row, so a missed or
coalesced event can never show stale state. Documents that move through ingestion together
are announced together (`publish_many`: one round trip for the whole batch). The same holds
while Redis is down or restarting: publishing logs and goes on (a notification must never
fail an ingestion), and subscribers fall back to re-reading on their poll interval until
pub/sub answers again.
"""

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import redis.asyncio

_UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

log = logging.getLogger(__name__)

DOCUMENTS = "beacon:documents:"
SESSIONS = "beacon:sessions:"


class Notifications(Protocol):
    """Publish and subscribe to change notifications, one topic per id."""

    async def publish(self, key: uuid.UUID) -> None:
        """Tell subscribers of `key` that it changed."""
        ...

    async def publish_many(self, keys: Sequence[uuid.UUID]) -> None:
        """`publish` for every key at once (documents moving through ingestion together)."""
        ...

    def subscribe(self, key: uuid.UUID) -> AbstractAsyncContextManager["Subscription"]:
        """A subscription for the duration of an `async with` block."""
        ...

    async def start(self) -> None:
        """Get ready to publish (idempotent)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class Subscription(Protocol):
    """Waits for the next change notification."""

    async def wait(self, seconds: float) -> bool:
        """True when a change arrived, False after `seconds` without one."""
        ...


class _Flag:
    """One subscriber's wake-up flag, settable from any thread."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def set_threadsafe(self) -> None:
        self._loop.call_soon_threadsafe(self._event.set)

    async def wait(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        self._event.clear()
        return True


class InProcessNotifications:
    """For one process: the in-process worker threads publish, API tasks subscribe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[uuid.UUID, set[_Flag]] = {}

    async def publish(self, key: uuid.UUID) -> None:
        """Wake every subscriber of `key`, whichever loop it runs on."""
        with self._lock:
            flags = list(self._subscribers.get(key, ()))
        for flag in flags:
            flag.set_threadsafe()

    async def publish_many(self, keys: Sequence[uuid.UUID]) -> None:
        """Wake every subscriber of any of `keys`."""
        with self._lock:
            flags = [flag for key in keys for flag in self._subscribers.get(key, ())]
        for flag in flags:
            flag.set_threadsafe()

    @asynccontextmanager
    async def subscribe(self, key: uuid.UUID) -> AsyncIterator[Subscription]:
        """Register a wake-up flag for the duration of the block."""
        flag = _Flag()
        with self._lock:
            self._subscribers.setdefault(key, set()).add(flag)
        try:
            yield flag
        finally:
            with self._lock:
                self._subscribers[key].discard(flag)
                if not self._subscribers[key]:
                    del self._subscribers[key]

    async def start(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to release."""


class _RedisSubscription:
    def __init__(self, pubsub: redis.asyncio.client.PubSub | None) -> None:
        self._pubsub = pubsub  # None: Redis was unreachable when subscribing

    async def wait(self, seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        # get_message returns None at once for the subscription's own confirmation.
        while (remaining := deadline - loop.time()) > 0:
            if self._pubsub is None:
                await asyncio.sleep(remaining)
                return False
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=remaining
                )
            except _UNAVAILABLE as error:
                # The next call reconnects and subscribes again; until then, wait out the
                # interval so the caller re-reads the row (a change may have been missed).
                log.warning("notifications: Redis pub/sub unavailable (%s)", error)
                await asyncio.sleep(max(0.0, deadline - loop.time()))
                return False
            if message is not None:
                return True
        return False


class RedisNotifications:
    """Across processes: any worker publishes, any API replica's subscribers hear it."""

    def __init__(self, url: str, channel: str) -> None:
        self._client = redis.asyncio.Redis.from_url(url)
        self._channel = channel  # the topic's prefix: one pub/sub channel per id

    async def publish(self, key: uuid.UUID) -> None:
        """Publish on the channel of `key` (logged and dropped while Redis is down)."""
        try:
            await self._client.publish(self._channel + str(key), b"1")
        except _UNAVAILABLE as error:
            log.warning("notifications: cannot publish for %s (%s)", key, error)

    async def publish_many(self, keys: Sequence[uuid.UUID]) -> None:
        """Publish on the channel of every key, in one round trip to Redis."""
        if not keys:
            return
        pipeline = self._client.pipeline(transaction=False)
        for key in keys:
            pipeline.publish(self._channel + str(key), b"1")
        try:
            await pipeline.execute()
        except _UNAVAILABLE as error:
            log.warning("notifications: cannot publish for %d keys (%s)", len(keys), error)

    @asynccontextmanager
    async def subscribe(self, key: uuid.UUID) -> AsyncIterator[Subscription]:
        """Listen on the channel of `key` for the duration of the block."""
        pubsub = self._client.pubsub()
        try:
            await pubsub.subscribe(self._channel + str(key))
            subscribed = True
        except _UNAVAILABLE as error:
            log.warning("notifications: cannot subscribe, polling instead (%s)", error)
            subscribed = False
        if not subscribed:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            yield _RedisSubscription(None)
            return
        try:
            yield _RedisSubscription(pubsub)
        finally:
            # If the connection is gone, its subscription went with it.
            with contextlib.suppress(*_UNAVAILABLE):
                await pubsub.unsubscribe()
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def start(self) -> None:
        """Nothing to do: the pool connects on first use, and publishing while Redis is
        down only logs (see the module docstring)."""

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
