"""`beacon worker`: a Dramatiq worker process on Redis."""

import logging
import signal
import threading

from domain.bootstrap import StartupFailed
from domain.settings import Settings
from workers.runtime import WorkerRuntime

log = logging.getLogger("beacon.workers")


def run_worker_process(settings: Settings) -> int:
    """Consume until SIGTERM or SIGINT, then finish in-flight messages and exit 0; exit 1
    when a store cannot be reached at start-up."""
    runtime = WorkerRuntime(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        runtime.start()
    except StartupFailed as error:
        log.error("beacon worker cannot start: %s", error)
        runtime.close()
        return 1
    log.info("worker consuming from %s", settings.redis_url)
    stop.wait()
    runtime.stop()
    return 0
