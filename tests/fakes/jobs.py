"""Inline jobs: the `Jobs` port with no queue, broker or worker thread behind it.

Production's embedded default already runs jobs in-process (`workers.runtime.WorkerRuntime`
on Dramatiq's in-memory broker), but on worker threads of their own, each with its own event
loop and services. A test of a service wants less: what was asked for, and the work done in
its own event loop, where it can wait for it. That is all this does.
"""

import asyncio
import uuid
from collections.abc import Coroutine
from typing import Any, Protocol


class Work(Protocol):
    """What the jobs run: `IngestionService` does both."""

    async def ingest(self, document_id: uuid.UUID) -> None:
        """Bring the document's current version to READY or FAILED."""
        ...

    async def purge(self, document_id: uuid.UUID, organization_id: uuid.UUID, key: str) -> None:
        """Remove a deleted document's vectors and file."""
        ...


class InlineJobs:
    """Records every job; once `attach`ed to the work, also starts each at once as a task in
    the caller's event loop and context (its database connection included), as a worker would
    pick it up. Nothing is retried: a job that raises is kept in `failures`, and `settled()`
    raises it. Counts how many times it was started and closed."""

    def __init__(self, work: Work | None = None) -> None:
        self.ingested: list[uuid.UUID] = []
        self.purged: list[tuple[uuid.UUID, uuid.UUID, str]] = []
        self.failures: list[Exception] = []
        self._work = work
        self._running: set[asyncio.Task[None]] = set()
        self._reported = 0  # failures `settled()` has raised already
        self.started = self.closed = 0

    def attach(self, work: Work) -> None:
        """Run jobs from now on (services are built with their jobs, so the work comes after)."""
        self._work = work

    async def start(self) -> None:
        """Nothing to connect."""
        self.started += 1

    async def close(self) -> None:
        """Stop the jobs still running, as a worker shutting down would."""
        self.closed += 1
        running = list(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    def ingest_document(self, document_id: uuid.UUID) -> None:
        """Record the ingestion, and start it if attached."""
        self.ingested.append(document_id)
        if self._work is not None:
            self._run(self._work.ingest(document_id))

    def purge_document(
        self, document_id: uuid.UUID, organization_id: uuid.UUID, storage_key: str
    ) -> None:
        """Record the purge, and start it if attached."""
        self.purged.append((document_id, organization_id, storage_key))
        if self._work is not None:
            self._run(self._work.purge(document_id, organization_id, storage_key))

    async def settled(self) -> None:
        """Wait until every job started so far, and every job those started, has ended; then
        raise the first failure not raised before."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        if self._reported < len(self.failures):
            failure = self.failures[self._reported]
            self._reported = len(self.failures)
            raise failure

    def _run(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._running.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: "asyncio.Task[None]") -> None:
        self._running.discard(task)
        error = None if task.cancelled() else task.exception()
        if isinstance(error, Exception):
            self.failures.append(error)
