"""Ingest messages running at once leave as batches, and each message ends as its own
document did."""

import asyncio
import uuid
from collections.abc import Sequence

import pytest

from workers.batching import IngestBatcher


class Recorder:
    """An `ingest_many` that notes its batches and fails the documents in `failing`."""

    def __init__(self, failing: set[uuid.UUID] | None = None) -> None:
        self.batches: list[list[uuid.UUID]] = []
        self.failing = failing or set()
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Exception | None]:
        self.batches.append(list(ids))
        await self.release.wait()
        return {i: (RuntimeError(f"bad {i}") if i in self.failing else None) for i in ids}


async def test_messages_running_at_once_are_ingested_as_one_batch() -> None:
    recorder = Recorder()
    batcher = IngestBatcher(recorder, size=16, in_flight=2)
    ids = [uuid.uuid4() for _ in range(10)]

    await asyncio.gather(*(batcher.ingest(i) for i in ids))

    assert recorder.batches == [ids]


async def test_a_failed_document_raises_in_its_own_message_only() -> None:
    ids = [uuid.uuid4() for _ in range(4)]
    batcher = IngestBatcher(Recorder(failing={ids[1]}), size=16, in_flight=2)

    results = await asyncio.gather(*(batcher.ingest(i) for i in ids), return_exceptions=True)

    assert [type(r).__name__ for r in results] == ["NoneType", "RuntimeError"] + ["NoneType"] * 2


async def test_batches_hold_at_most_their_size_and_later_messages_wait_for_room() -> None:
    recorder = Recorder()
    recorder.release.clear()
    batcher = IngestBatcher(recorder, size=3, in_flight=1)
    ids = [uuid.uuid4() for _ in range(7)]
    messages = asyncio.gather(*(batcher.ingest(i) for i in ids))
    while not recorder.batches:  # noqa: ASYNC110 - waits on the batcher, not a clock
        await asyncio.sleep(0)
    # One batch in flight: the rest gather while it runs, and leave together after it.
    await asyncio.sleep(0.05)
    assert recorder.batches == [ids[:3]]
    recorder.release.set()

    await messages

    assert recorder.batches == [ids[:3], ids[3:6], ids[6:]]


async def test_a_batch_that_fails_as_a_whole_fails_each_of_its_messages() -> None:
    async def broken(ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Exception | None]:
        raise ConnectionError("the database is unreachable")

    batcher = IngestBatcher(broken, size=16, in_flight=2)

    with pytest.raises(ConnectionError):
        await asyncio.gather(batcher.ingest(uuid.uuid4()), batcher.ingest(uuid.uuid4()))
