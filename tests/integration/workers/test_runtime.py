"""A worker runtime on Redis releases its connections when closed."""

import secrets
import uuid
from pathlib import Path

from domain.settings import Settings
from tests.support.databases import REDIS_URL, redis_unreachable_reason
from tests.support.processes import private_redis
from tests.support.services import require
from workers.actors import QUEUE
from workers.runtime import WorkerRuntime


async def test_closing_a_sending_runtime_closes_its_redis_sockets(tmp_path: Path) -> None:
    if reason := redis_unreachable_reason():
        require(reason)
    settings = Settings(data_dir=tmp_path, redis_url=REDIS_URL, secret_key=secrets.token_hex(32))
    runtime = WorkerRuntime(settings)
    runtime.jobs.ingest_document(uuid.uuid4())  # opens a connection to send
    pool = runtime.broker.client.connection_pool
    sockets = [connection._sock for connection in pool._available_connections]
    assert sockets and all(sock is not None for sock in sockets)

    runtime.broker.flush(QUEUE)
    runtime.close()

    assert all(sock.fileno() == -1 for sock in sockets)  # closed, not left to the collector


def test_the_backlog_counts_waiting_messages_not_fetched_ones_never_acknowledged(
    tmp_path: Path,
) -> None:
    with private_redis(tmp_path) as server:
        settings = Settings(
            data_dir=tmp_path, redis_url=server.url, secret_key=secrets.token_hex(32)
        )
        runtime = WorkerRuntime(settings)
        try:
            for _ in range(3):
                runtime.jobs.ingest_document(uuid.uuid4())
            assert runtime.backlog() == 3

            # A consumer takes two; its process then loses them (a Redis restart makes live
            # workers do this), so they are never acknowledged.
            runtime.broker.do_fetch(QUEUE, 2)

            assert runtime.backlog() == 1
        finally:
            runtime.close()
