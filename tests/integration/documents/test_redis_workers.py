"""Production mode with real processes: PostgreSQL, Redis and separate `beacon worker`s."""

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cli.scratch import scratch_postgres
from domain.bootstrap import Adapters, Services, build_services
from domain.database import apply_migrations
from domain.documents.kinds import DocumentKind
from domain.documents.models import Chunk, Document, DocumentStatus
from domain.documents.parsing import DocumentParser
from domain.identity.principal import Principal
from domain.settings import Settings
from tests.support import documents as files
from tests.support.databases import (
    POSTGRES_URL,
    TEST_DATABASE,
    postgres_unreachable_reason,
    redis_unreachable_reason,
)
from tests.support.graphql import PASSWORD
from tests.support.live_server import free_port
from tests.support.processes import PrivateRedis, WorkerProcess, private_redis
from tests.support.services import require
from tests.support.waiting import eventually
from workers.runtime import WorkerRuntime

pytestmark = pytest.mark.timeout(600)


@dataclass
class Production:
    settings: Settings
    services: Services
    redis: PrivateRedis
    env: dict[str, str]
    tmp: Path
    admin: Principal


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[Production]:
    if TEST_DATABASE != "postgres":
        pytest.skip("runs in the PostgreSQL pass (one SQL dialect per test process)")
    for reason in (postgres_unreachable_reason(), redis_unreachable_reason()):
        if reason:
            require(reason)
    secret = secrets.token_urlsafe(48)
    with private_redis(tmp_path) as redis_server:
        async with scratch_postgres(POSTGRES_URL) as database_url:
            await apply_migrations(database_url)
            env = {
                "BEACON_DATA_DIR": str(tmp_path / "data"),
                "BEACON_DATABASE_URL": database_url,
                "BEACON_REDIS_URL": redis_server.url,
                "BEACON_SECRET_KEY": secret,
                "BEACON_INGEST_LEASE_SECONDS": "4",
                "BEACON_SWEEP_INTERVAL_SECONDS": "1",
                "BEACON_RETRY_BACKOFF_SECONDS": "0.5",
                "BEACON_WORKER_THREADS": "1",
                "HF_HUB_OFFLINE": "1",
            }
            settings = Settings(
                data_dir=tmp_path / "data",
                database_url=database_url,
                redis_url=redis_server.url,
                secret_key=secret,
                bcrypt_rounds=4,
                ingest_lease_seconds=4,
            )
            runtime = WorkerRuntime(settings)  # sends only: consumers are the subprocesses
            services = build_services(settings, Adapters(jobs=runtime.jobs))
            await services.start()
            try:
                user = await services.identity.create_organization(
                    "Acme", "ops@example.com", PASSWORD
                )
                yield Production(
                    settings, services, redis_server, env, tmp_path, Principal.of(user)
                )
            finally:
                await services.close()
                runtime.close()


async def upload(production: Production, path: Path) -> uuid.UUID:
    async def chunks() -> AsyncIterator[bytes]:
        yield path.read_bytes()

    outcome = await production.services.documents.upload(production.admin, path.name, chunks())
    return outcome.document.id


async def wait_for(document_id: uuid.UUID, predicate: object, seconds: float = 180) -> Document:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        document = await Document.get(id=document_id)
        if predicate(document):  # type: ignore[operator]
            return document
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"document is {document.status} after {seconds} s")
        await asyncio.sleep(0.2)


def is_final(document: Document) -> bool:
    return document.status.is_final


async def clean_chunk_count(path: Path, kind: DocumentKind) -> int:
    parser = DocumentParser(max_pages=500, timeout_seconds=300)
    try:
        return len((await parser.extract(path, kind)).chunks)
    finally:
        await parser.close()


async def test_a_worker_killed_mid_document_still_ends_ready_exactly_once(
    production: Production,
) -> None:
    path = files.write_long_docx(production.tmp, paragraphs=1500)
    expected = await clean_chunk_count(path, DocumentKind.DOCX)
    first = WorkerProcess(production.env, production.tmp / "worker-1.log")
    try:
        document_id = await upload(production, path)
        await wait_for(document_id, lambda d: d.status is DocumentStatus.EMBEDDING, seconds=240)
    finally:
        first.kill()
    second = WorkerProcess(production.env, production.tmp / "worker-2.log")
    try:
        document = await wait_for(document_id, is_final)
        assert document.status is DocumentStatus.READY, (document.failure_message, second.log())
        assert document.chunk_count == expected
        assert document.attempts == 2
        assert await Chunk.filter(document_id=document_id).count() == expected
        org = production.admin.organization_id
        assert await production.services.vectors.count(org, document_id) == expected
        # The survivor keeps serving.
        other = await upload(production, files.write_text(production.tmp))
        assert (await wait_for(other, is_final)).status is DocumentStatus.READY
    finally:
        second.stop()


async def test_a_document_that_keeps_killing_workers_ends_failed(
    production: Production,
) -> None:
    path = files.write_long_docx(production.tmp, paragraphs=1500)
    document_id = await upload(production, path)
    attempts = production.settings.ingest_max_attempts
    for round_ in range(attempts):
        worker = WorkerProcess(production.env, production.tmp / f"killer-{round_}.log")
        try:
            await wait_for(
                document_id,
                lambda d, n=round_: d.status is DocumentStatus.EMBEDDING and d.attempts == n + 1,
                seconds=240,
            )
        finally:
            worker.kill()
    last = WorkerProcess(production.env, production.tmp / "last.log")
    try:
        document = await wait_for(document_id, is_final)
    finally:
        last.stop()
    assert document.status is DocumentStatus.FAILED
    assert document.failure_code == "TOO_MANY_ATTEMPTS"


async def test_a_redis_restart_mid_run_loses_no_document(production: Production) -> None:
    worker = WorkerProcess(production.env, production.tmp / "worker.log")
    try:
        path = files.write_long_docx(production.tmp, paragraphs=600)
        document_id = await upload(production, path)
        await wait_for(document_id, lambda d: d.status is not DocumentStatus.QUEUED, seconds=240)
        production.redis.stop()
        # Down until the worker has felt it (dramatiq logs its consumer's connection error).
        await eventually(
            lambda: "Consumer encountered a connection error" in worker.log(),
            "the worker noticing Redis is down",
            seconds=60,
            every=0.2,
        )
        production.redis.start()  # empty: whatever it queued is gone
        second = await upload(production, files.write_markdown(production.tmp))
        for document_id_ in (document_id, second):
            document = await wait_for(document_id_, is_final, seconds=240)
            assert document.status is DocumentStatus.READY, (document.failure_message, worker.log())
    finally:
        worker.stop()


async def scraped(port: int, wanted: str, seconds: float = 180) -> str:
    """The worker's `/metrics` once it shows the `wanted` line."""
    deadline = asyncio.get_running_loop().time() + seconds
    async with httpx.AsyncClient() as http:
        while True:
            try:
                text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
                if wanted in text:
                    return text
            except httpx.TransportError:
                text = "(not serving)"
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no {wanted!r} after {seconds} s in:\n{text}")
            await asyncio.sleep(0.2)


async def test_a_worker_serves_its_metrics_on_its_own_port(production: Production) -> None:
    port = free_port()
    env = {**production.env, "BEACON_WORKER_METRICS_PORT": str(port)}
    worker = WorkerProcess(env, production.tmp / "worker.log")
    try:
        document_id = await upload(production, files.write_markdown(production.tmp))
        document = await wait_for(document_id, is_final)
        assert document.status is DocumentStatus.READY, worker.log()
        # The sweeper (every second here) counts what the worker finished.
        text = await scraped(port, 'beacon_documents{status="READY"} 1.0')
    finally:
        worker.stop()
    assert 'beacon_ingestion_stage_seconds_count{stage="index"} 1.0' in text
    assert "beacon_queue_depth 0.0" in text


async def test_a_worker_ingests_the_documents_queued_for_it_in_batches(
    production: Production,
) -> None:
    ids = []
    for number in range(8):  # queued in Redis before any worker runs
        path = production.tmp / f"note-{number}.txt"
        path.write_text(f"Note {number}: the printer on floor {number} takes A3 paper.\n")
        ids.append(await upload(production, path))
    port = free_port()
    env = {
        **production.env,
        "BEACON_WORKER_THREADS": "8",
        "BEACON_WORKER_METRICS_PORT": str(port),
    }
    worker = WorkerProcess(env, production.tmp / "worker.log")
    try:
        for document_id in ids:
            document = await wait_for(document_id, is_final)
            assert document.status is DocumentStatus.READY, worker.log()
        text = await scraped(port, "beacon_ingestion_batch_documents_count")
    finally:
        worker.stop()
    values = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line.startswith("beacon_ingestion_batch_documents")
    }
    batches = values["beacon_ingestion_batch_documents_count"]
    alone = values['beacon_ingestion_batch_documents_bucket{le="1.0"}']
    assert values["beacon_ingestion_batch_documents_sum"] >= len(ids)
    assert batches - alone >= 1, text  # at least one batch of several documents
    assert batches < len(ids), text
