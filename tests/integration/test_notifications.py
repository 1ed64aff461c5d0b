"""Change notifications, in-process and through Redis."""

import asyncio
import threading
import uuid
from pathlib import Path

from domain.notifications import DOCUMENTS, SESSIONS, InProcessNotifications, RedisNotifications
from tests.support.databases import REDIS_URL, redis_unreachable_reason
from tests.support.processes import private_redis
from tests.support.services import require


async def test_a_publish_from_another_thread_wakes_the_subscriber() -> None:
    events = InProcessNotifications()
    document_id = uuid.uuid4()
    async with events.subscribe(document_id) as changes:
        assert not await changes.wait(0.05)
        thread = threading.Thread(target=lambda: asyncio.run(events.publish(document_id)))
        thread.start()
        assert await changes.wait(5)
        thread.join()


async def test_other_ids_do_not_wake_the_subscriber() -> None:
    events = InProcessNotifications()
    async with events.subscribe(uuid.uuid4()) as changes:
        await events.publish(uuid.uuid4())
        assert not await changes.wait(0.1)


async def test_redis_carries_a_change_between_two_processes_views() -> None:
    if reason := redis_unreachable_reason():
        require(reason)
    worker_side, api_side = (
        RedisNotifications(REDIS_URL, DOCUMENTS),
        RedisNotifications(REDIS_URL, DOCUMENTS),
    )
    document_id = uuid.uuid4()
    try:
        async with api_side.subscribe(document_id) as changes:
            await worker_side.publish(document_id)
            assert await changes.wait(5)
            assert not await changes.wait(0.1)
    finally:
        await worker_side.close()
        await api_side.close()


async def test_with_redis_down_publishing_goes_on_and_subscribers_fall_back_to_polling(
    tmp_path: Path,
) -> None:
    with private_redis(tmp_path) as server:
        server.stop()
        events = RedisNotifications(server.url, DOCUMENTS)
        try:
            await events.publish(uuid.uuid4())  # logged, not raised
            async with events.subscribe(uuid.uuid4()) as changes:
                started = asyncio.get_running_loop().time()
                assert not await changes.wait(0.3)
                assert asyncio.get_running_loop().time() - started >= 0.3
        finally:
            await events.close()


async def test_a_subscriber_keeps_hearing_changes_after_redis_restarts(tmp_path: Path) -> None:
    with private_redis(tmp_path) as server:
        worker_side, api_side = (
            RedisNotifications(server.url, DOCUMENTS),
            RedisNotifications(server.url, DOCUMENTS),
        )
        document_id = uuid.uuid4()
        try:
            async with api_side.subscribe(document_id) as changes:
                server.stop()
                assert not await changes.wait(0.2)  # the poll interval passes, no error
                server.start()
                for _ in range(50):  # the subscription is restored on its next read
                    await worker_side.publish(document_id)
                    if await changes.wait(0.2):
                        break
                else:
                    raise AssertionError("no change heard after the restart")
        finally:
            await worker_side.close()
            await api_side.close()


async def test_topics_on_redis_do_not_hear_each_other() -> None:
    if reason := redis_unreachable_reason():
        require(reason)
    documents, sessions = (
        RedisNotifications(REDIS_URL, DOCUMENTS),
        RedisNotifications(REDIS_URL, SESSIONS),
    )
    key = uuid.uuid4()
    try:
        async with sessions.subscribe(key) as changes:
            await documents.publish(key)
            assert not await changes.wait(0.2)
            await sessions.publish(key)
            assert await changes.wait(5)
    finally:
        await documents.close()
        await sessions.close()
