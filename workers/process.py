"""`beacon worker`: a Dramatiq worker process on Redis."""

import logging
import signal
import threading

import dramatiq

from domain.settings import Settings
from workers.broker import build_broker

log = logging.getLogger("beacon.workers")


def run_worker_process(settings: Settings, threads: int = 4) -> int:
    """Consume until SIGTERM or SIGINT, then finish in-flight messages and exit 0."""
    broker, _ = build_broker(settings)
    dramatiq.set_broker(broker)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    log.info("worker consuming from %s", settings.redis_url)
    stop.wait()
    worker.stop()
    broker.close()
    return 0
