"""Ingest messages gathered into batches: many small documents move through ingestion together.

A worker process runs up to `BEACON_WORKER_THREADS` messages at once, each on one event loop.
Rather than each driving its own document through every SQL statement, embedder call and
vector-store write, the messages hand their ids to this batcher, which runs them as batches
of up to `BEACON_INGEST_BATCH_SIZE` (`IngestionService.ingest_many`), a few batches at a time
so that one batch parses while another embeds. Batches form by themselves under load: while
the batches in flight run, the messages that arrive wait and leave together as the next one;
an idle worker starts a lone document after a few milliseconds.

Each message still ends as its own document did: it returns, or raises what `ingest` would
have raised for it (LeaseHeld, a transient failure...), so Dramatiq retries it alone.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence

# How long the first message of a batch waits for company when nothing is running: messages
# fetched together reach the loop within a millisecond or two of each other.
_GATHER_SECONDS = 0.005

IngestMany = Callable[[Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, Exception | None]]]


class IngestBatcher:
    """Runs `ingest` calls made on one event loop as batches through `ingest_many`."""

    def __init__(self, ingest_many: IngestMany, size: int, in_flight: int) -> None:
        self._ingest_many = ingest_many
        self._size = size
        self._in_flight = in_flight
        self._running: set[asyncio.Task[None]] = set()
        self._waiting: list[tuple[uuid.UUID, asyncio.Future[Exception | None]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def ingest(self, document_id: uuid.UUID) -> None:
        """Ingest the document in the next batch; raise what ingesting it raised."""
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[Exception | None] = loop.create_future()
        self._waiting.append((document_id, outcome))
        if len(self._waiting) >= self._size:
            self._start()
        elif self._timer is None:
            self._timer = loop.call_later(_GATHER_SECONDS, self._start)
        raised = await outcome
        if raised is not None:
            raise raised

    def _start(self) -> None:
        """Start batches while there is room; what is left leaves when a batch ends."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._waiting and len(self._running) < self._in_flight:
            batch, self._waiting = self._waiting[: self._size], self._waiting[self._size :]
            task = asyncio.ensure_future(self._run(batch))
            self._running.add(task)
            task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._start()

    async def _run(self, batch: list[tuple[uuid.UUID, asyncio.Future[Exception | None]]]) -> None:
        try:
            outcomes = await self._ingest_many([document_id for document_id, _ in batch])
            for document_id, outcome in batch:
                # A message cancelled meanwhile (its time limit) has no one waiting any more.
                if not outcome.done():
                    outcome.set_result(outcomes[document_id])
        except Exception as error:
            # Not one document's doing (the database is down, say): every message retries.
            for _, outcome in batch:
                if not outcome.done():
                    outcome.set_exception(error)
        finally:
            # Cancelled (the worker stopping): so are the messages waiting on it.
            for _, outcome in batch:
                if not outcome.done():
                    outcome.cancel()
