"""`beacon worker`: a Dramatiq worker process on Redis."""

import logging
import signal
import threading

from prometheus_client import start_http_server

from domain.bootstrap import StartupFailed
from domain.metrics import METRICS
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
    server = None
    if settings.worker_metrics_port:
        # Only once consuming: a worker that cannot start has nothing to report.
        server, _ = start_http_server(settings.worker_metrics_port, registry=METRICS.registry)
        log.info("worker metrics on port %d", settings.worker_metrics_port)
    stop.wait()
    runtime.stop()
    if server is not None:
        server.shutdown()
    return 0
