"""Worker middleware: one composition root per worker, living on its event loop."""

import logging
from typing import Any

import dramatiq
from dramatiq.asyncio import get_event_loop_thread

from domain.bootstrap import Services, build_services
from domain.settings import Settings

log = logging.getLogger("beacon.workers")


class WorkerServices(dramatiq.Middleware):
    """Builds the services when a worker boots and connects them on its event-loop thread."""

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = settings
        self.overrides = overrides
        self._services: Services | None = None

    def get(self) -> Services:
        """The running worker's services (actors call this)."""
        if self._services is None:
            raise RuntimeError("worker services are not started")
        return self._services

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        """Connect from the loop that will run the actors."""
        services = build_services(self.settings, worker=True, **self.overrides)
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            raise RuntimeError("the AsyncIO middleware must come before WorkerServices")
        # Not process-wide: inside `serve` the API's own context is the process-wide one,
        # and actors activate this one in each task (Database.activate).
        loop_thread.run_coroutine(services.start(process_wide=False))
        loop_thread.run_coroutine(services.warm_up())
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
