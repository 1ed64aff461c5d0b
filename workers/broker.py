"""The broker: Redis in production, an in-memory queue inside `beacon serve`."""

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO

from domain.settings import Settings
from workers.middleware import WorkerServices


def build_broker(settings: Settings) -> tuple[dramatiq.Broker, WorkerServices]:
    """A broker with the middleware every Beacon worker needs, and its services middleware."""
    # The embedded default runs one process; documents left unfinished by a crash are
    # found again from SQL at start-up, so an in-memory queue loses nothing durable.
    broker: dramatiq.Broker = (
        RedisBroker(url=settings.redis_url)  # type: ignore[no-untyped-call]
        if settings.redis_url
        else StubBroker()
    )
    services = WorkerServices(settings)
    broker.add_middleware(AsyncIO())
    broker.add_middleware(services)
    return broker, services
