"""Document change notifications, in-process and through Redis."""

import asyncio
import threading
import uuid

from domain.documents.events import InProcessEvents, RedisEvents
from tests.support.databases import REDIS_URL, redis_unreachable_reason
from tests.support.services import require


async def test_a_publish_from_another_thread_wakes_the_subscriber() -> None:
    events = InProcessEvents()
    document_id = uuid.uuid4()
    async with events.subscribe(document_id) as changes:
        assert not await changes.wait(0.05)
        thread = threading.Thread(target=lambda: asyncio.run(events.publish(document_id)))
        thread.start()
        assert await changes.wait(5)
        thread.join()


async def test_other_documents_do_not_wake_the_subscriber() -> None:
    events = InProcessEvents()
    async with events.subscribe(uuid.uuid4()) as changes:
        await events.publish(uuid.uuid4())
        assert not await changes.wait(0.1)


async def test_redis_carries_a_change_between_two_processes_views() -> None:
    if reason := redis_unreachable_reason():
        require(reason)
    worker_side, api_side = RedisEvents(REDIS_URL), RedisEvents(REDIS_URL)
    document_id = uuid.uuid4()
    try:
        async with api_side.subscribe(document_id) as changes:
            await worker_side.publish(document_id)
            assert await changes.wait(5)
            assert not await changes.wait(0.1)
    finally:
        await worker_side.close()
        await api_side.close()
