"""A worker runtime: broker, actors, services and the sweeper, for one process."""

import dataclasses
import logging

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name
from dramatiq.middleware import AsyncIO
from dramatiq.worker import WORKER_TIMEOUT

from domain.bootstrap import Adapters, Services, build_services
from domain.notifications import InProcessNotifications
from domain.retrieval.embedding import Embedder
from domain.settings import Settings
from workers.actors import QUEUE, Actors, DramatiqJobs, declare_actors
from workers.middleware import WorkerServices
from workers.sweeper import Sweeper

log = logging.getLogger("beacon.workers")

# How long an idle worker thread waits for a message before it looks whether it should stop
# (Dramatiq's default: 1 s, then as long again for the consumer). In memory a wake-up costs
# microseconds, and a one-shot command (`beacon ingest`) waits for every thread to wake on
# its way out: at 1 s that was 2 s of a one-file ingest's 12. Against Redis each wake-up is
# a poll, so there the default stays.
_IN_MEMORY_WAKE_MS = 100


class WorkerRuntime:
    """Redis broker in production; an in-memory broker with in-process threads in `serve`.

    The embedded default's queue lives in memory: what it held when the process stopped is
    found again at start-up from SQL (every unfinished document is queued again).
    """

    def __init__(self, settings: Settings, adapters: Adapters | None = None) -> None:
        self.settings = settings
        self.broker: dramatiq.Broker = (
            RedisBroker(url=settings.redis_url)  # type: ignore[no-untyped-call]
            if settings.redis_url
            else StubBroker()
        )
        self.broker.add_middleware(AsyncIO())
        self.actors: Actors = declare_actors(self.broker, settings, self.worker_services)
        self.jobs = DramatiqJobs(self.actors)
        self._middleware = WorkerServices(
            settings, dataclasses.replace(adapters or Adapters(), jobs=self.jobs)
        )
        self.broker.add_middleware(self._middleware)
        self._worker: dramatiq.Worker | None = None
        self._sweeper: Sweeper | None = None

    def share_embedder(self, embedder: Embedder) -> None:
        """Embed with `embedder`, which its owner closes after stopping this runtime: the API
        and the worker of one process then share one model (and its process) rather than
        loading two."""
        shared = dataclasses.replace(self._middleware.adapters, embedder=embedder)
        self._middleware.adapters = shared

    def worker_services(self) -> Services:
        """The running worker's services."""
        return self._middleware.get()

    def start(self) -> None:
        """Boot worker threads and the sweeper; raises what stopped the services starting
        (`StartupFailed` for a store that cannot be reached)."""
        self._worker = dramatiq.Worker(
            self.broker,
            worker_threads=self.settings.worker_threads,
            worker_timeout=(
                _IN_MEMORY_WAKE_MS if isinstance(self.broker, StubBroker) else WORKER_TIMEOUT
            ),
        )
        self._worker.start()
        if (failure := self._middleware.boot_failure) is not None:
            self._worker.stop()
            self._worker = None
            raise failure
        self._sweeper = Sweeper(
            self.worker_services,
            self.jobs,
            interval=self.settings.sweep_interval_seconds,
            everything_first=not self.settings.redis_url,
            backlog=self.backlog,
        )
        self._sweeper.start()

    def stop(self) -> None:
        """Stop sweeping, finish in-flight messages, close connections."""
        if self._sweeper is not None:
            self._sweeper.stop()
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        self.close()

    def close(self) -> None:
        """Close the broker's connections (a runtime that only sends needs no `stop`)."""
        self.broker.close()
        if isinstance(self.broker, RedisBroker):
            # Dramatiq's close leaves the Redis client's pool open: its sockets would only
            # be closed, with a ResourceWarning, when the garbage collector finds them.
            self.broker.client.connection_pool.disconnect()

    def backlog(self) -> int:
        """Messages waiting in Redis for a consumer (the documents queue and its delay queue).

        Not Dramatiq's `qsize`, which also counts messages fetched but never acknowledged: a
        Redis restart leaves some of those in a live worker's acknowledgement set for as long
        as that worker lives, and counting them would keep the backlog above zero forever,
        so the sweep would never again re-queue a document whose message was lost.
        """
        if isinstance(self.broker, StubBroker):
            return sum(
                queue.qsize()
                for name, queue in self.broker.queues.items()
                if name in (QUEUE, dq_name(QUEUE))
            )
        namespace = self.broker.namespace  # type: ignore[attr-defined]
        client = self.broker.client  # type: ignore[attr-defined]
        return sum(int(client.llen(f"{namespace}:{name}")) for name in (QUEUE, dq_name(QUEUE)))

    def sweep(self, everything: bool = False) -> int:
        """Run one sweep now (tests and `beacon reconcile`)."""
        if self._sweeper is None:
            raise RuntimeError("the runtime is not started")
        return self._sweeper.sweep(everything=everything)


def build_process(
    settings: Settings, adapters: Adapters | None = None
) -> tuple[WorkerRuntime, Services]:
    """A process's services and the worker runtime that consumes their jobs; `adapters` are
    the caller's, for both. The worker borrows the services' embedder.

    On the embedded default both share one in-process event bus, so `documentEvents`
    subscribers hear the worker threads; with Redis each side publishes through Redis.
    Whether to start the runtime's threads is the caller's choice.
    """
    adapters = adapters or Adapters()
    if not settings.redis_url and adapters.events is None:
        adapters = dataclasses.replace(adapters, events=InProcessNotifications())
    runtime = WorkerRuntime(settings, adapters)
    services = build_services(settings, dataclasses.replace(adapters, jobs=runtime.jobs))
    runtime.share_embedder(services.embedder)
    return runtime, services
