"""Worker middleware: one composition root per worker, living on its event loop."""

import contextlib
import logging
from typing import Any

import dramatiq
from dramatiq.asyncio import get_event_loop_thread

from domain.bootstrap import Adapters, Services, build_services
from domain.settings import Settings

log = logging.getLogger("beacon.workers")


class WorkerServices(dramatiq.Middleware):
    """Builds the services when a worker boots and connects them on its event-loop thread."""

    def __init__(self, settings: Settings, adapters: Adapters) -> None:
        self.settings = settings
        self.adapters = adapters
        self._services: Services | None = None
        self.boot_failure: Exception | None = None

    def get(self) -> Services:
        """The running worker's services (actors call this)."""
        if self._services is None:
            raise RuntimeError("worker services are not started")
        return self._services

    def before_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        """Connect and warm up on the loop that will run the actors, before any consumer
        starts: a message never meets a worker without its services (it would fail and be
        pushed back with a growing delay while the model loads).

        Dramatiq logs and swallows a middleware's exception, so a failure is kept in
        `boot_failure` for `WorkerRuntime.start` to raise.
        """
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            raise RuntimeError("the AsyncIO middleware must come before WorkerServices")
        services = build_services(self.settings, self.adapters, worker=True)
        try:
            # Not process-wide: inside `serve` the API's own context is the process-wide
            # one, and actors activate this one in each task (Database.activate).
            loop_thread.run_coroutine(services.start(process_wide=False))
            loop_thread.run_coroutine(services.warm_up())
        except Exception as error:
            self.boot_failure = error
            with contextlib.suppress(Exception):
                loop_thread.run_coroutine(services.close())
            return
        self._services = services
        log.info("worker services ready")

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        """Close the worker's connections once in-flight messages are done.

        `after_*` hooks run in reverse order, so this runs before the AsyncIO middleware
        stops the event loop these connections live on.
        """
        loop_thread = get_event_loop_thread()
        if self._services is not None and loop_thread is not None:
            loop_thread.run_coroutine(self._services.close())
        self._services = None
