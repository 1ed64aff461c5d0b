"""`beacon worker`: a Dramatiq worker process on Redis."""

import logging
import signal
import threading

from domain.settings import Settings
from workers.runtime import WorkerRuntime

log = logging.getLogger("beacon.workers")


def run_worker_process(settings: Settings) -> int:
    """Consume until SIGTERM or SIGINT, then finish in-flight messages and exit 0."""
    runtime = WorkerRuntime(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    runtime.start()
    log.info("worker consuming from %s", settings.redis_url)
    stop.wait()
    runtime.stop()
    return 0
