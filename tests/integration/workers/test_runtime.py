"""A worker runtime on Redis releases its connections when closed; in `beacon serve` the
worker borrows the API's embedding model."""

import asyncio
import multiprocessing
import secrets
import uuid
from pathlib import Path

from domain.database import apply_migrations
from domain.settings import Settings
from tests.support.databases import REDIS_URL, redis_unreachable_reason
from tests.support.processes import private_redis
from tests.support.services import require
from workers.actors import QUEUE
from workers.runtime import WorkerRuntime, build_process


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


async def test_the_api_and_its_in_process_worker_share_one_embedding_model(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=secrets.token_hex(32))
    await apply_migrations(settings.effective_database_url)
    runtime, services = build_process(settings)
    await services.start()
    try:
        await asyncio.to_thread(runtime.start)
        try:
            assert runtime.worker_services().embedder is services.embedder
            assert embedder_processes() == 1
        finally:
            await asyncio.to_thread(runtime.stop)
        assert embedder_processes() == 1, "the worker leaves the API's model to the API"
    finally:
        await services.close()
    assert embedder_processes() == 0


def embedder_processes() -> int:
    return sum(child.name == "beacon-embedder" for child in multiprocessing.active_children())
