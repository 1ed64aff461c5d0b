"""Finds documents whose ingestion stalled and queues them again."""

import logging
import threading
import uuid
from collections.abc import Callable

from dramatiq.asyncio import get_event_loop_thread

from domain.bootstrap import Services
from domain.documents.jobs import Jobs
from domain.metrics import METRICS

log = logging.getLogger("beacon.workers")


class Sweeper:
    """A daemon thread: every `interval` seconds, re-enqueue documents nobody is working on.

    Duplicate messages are harmless (the lease and final states make ingestion idempotent),
    so the sweep errs on the side of re-enqueueing.
    """

    def __init__(
        self,
        services: Callable[[], Services],
        jobs: Jobs,
        interval: float,
        everything_first: bool,
        backlog: Callable[[], int],
    ) -> None:
        self._services = services
        self._backlog = backlog
        self._jobs = jobs
        self._interval = interval
        self._everything_first = everything_first
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="beacon-sweeper", daemon=True)

    def start(self) -> None:
        """Begin sweeping (the first sweep runs at once)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current sweep."""
        self._stop.set()
        self._thread.join(timeout=10)

    def sweep(self, everything: bool = False) -> int:
        """One pass; returns how many documents were queued again."""
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            return 0
        services = self._services()
        # While messages are queued, a QUEUED document is most likely just waiting its turn:
        # only once the queue has drained can a QUEUED document mean a lost message.
        backlog = self._backlog()
        METRICS.queue_depth.set(backlog)
        waiting = backlog == 0

        async def find() -> list[uuid.UUID]:
            with services.database.activate():
                found = list(
                    await services.ingestion.unfinished(everything=everything, waiting=waiting)
                )
                counts = await services.ingestion.count_by_status()
            METRICS.set_documents({status.value: count for status, count in counts.items()})
            # Index housekeeping belongs here, off the per-document path.
            await services.spaces.optimize()
            return found

        found = loop_thread.run_coroutine(find())
        for document_id in found:
            self._jobs.ingest_document(document_id)
        if found:
            log.info("re-queued %d unfinished document(s)", len(found))
        return len(found)

    def _loop(self) -> None:
        everything = self._everything_first
        while not self._stop.is_set():
            try:
                self.sweep(everything=everything)
            except Exception:  # a failed sweep must not end the thread; the next one retries
                log.exception("sweep failed")
            everything = False
            self._stop.wait(self._interval)
