"""The production topology on one machine: two `beacon serve` and two `beacon worker` processes on
PostgreSQL, Redis, Weaviate and an S3 object store, each process with a data directory of its
own (no shared volume), through worker kills and restarts of Weaviate and Redis."""

import asyncio
import inspect
import json
import os
import secrets
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import docx
import httpx
import pytest
import websockets

from cli.scratch import scratch_postgres
from domain.database import apply_migrations
from domain.retrieval.building import build_backend
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.retrieval.spaces import space_name
from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from domain.settings import Settings
from tests.support.databases import (
    POSTGRES_URL,
    TEST_DATABASE,
    postgres_unreachable_reason,
    redis_database,
    redis_unreachable_reason,
)
from tests.support.graphql import PASSWORD
from tests.support.live_server import LiveServer, live_server
from tests.support.processes import ROOT, WorkerProcess
from tests.support.services import (
    require,
    require_object_store,
    require_weaviate,
    s3_file_store,
)

pytestmark = pytest.mark.timeout(900)

WORDS = [
    "aurora", "basalt", "cobalt", "dynamo", "ember", "fjord", "glacier", "harbor", "indigo",
    "jasper", "kestrel", "lagoon", "meridian", "nebula", "obsidian", "pinnacle", "quasar",
    "rampart", "sequoia", "tundra",
]  # fmt: skip
LATE_WORDS = ["umber", "vortex", "willow", "xenon"]
DEFAULT_EMBEDDER: str = Settings.model_fields["embedder"].default
PEOPLE = ["Ada", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Niklaus", "Radia"]


@dataclass
class Stack:
    """The running topology and what the test needs to look inside it."""

    api_a: LiveServer
    api_b: LiveServer
    env: dict[str, str]
    database_url: str
    collection: str  # BEACON_WEAVIATE_COLLECTION
    vectors: str  # the collection of the configured model's vectors
    prefix: str
    tmp: Path
    services_script: str


def graphql(server: LiveServer, token: str | None, query: str, **variables: Any) -> Any:
    """One GraphQL request; returns `data`, failing on any error."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(
        f"{server.http_url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=60,
    ).json()
    assert not body.get("errors"), body
    return body["data"]


def sign_up(server: LiveServer, organization: str, email: str) -> str:
    data = graphql(
        server,
        None,
        "mutation($i: SignUpInput!) { signUp(input: $i) { ... on AuthPayload { accessToken } } }",
        i={"organizationName": organization, "email": email, "password": PASSWORD},
    )
    return str(data["signUp"]["accessToken"])


def write_report(directory: Path, word: str, number: int) -> Path:
    """A DOCX about one project, long enough to take a while to ingest."""
    document = docx.Document()
    document.add_heading(f"Report {word}", level=1)
    lead = PEOPLE[number % len(PEOPLE)]
    document.add_paragraph(
        f"The {word} project is led by {lead}; its budget is {number * 1000} euros."
    )
    for section in range(120):
        document.add_paragraph(
            f"Section {section} of the {word} report: the team reviewed milestone {section}, "
            f"recorded the risks they found, and agreed on the next steps for the quarter."
        )
    path = directory / f"{word}.docx"
    document.save(str(path))
    return path


def upload(server: LiveServer, token: str, path: Path) -> str:
    operations = {
        "query": "mutation($f: Upload!) { uploadDocument(input: {file: $f}) { __typename "
        "... on UploadDocumentSuccess { document { id } } ... on Error { code message } } }",
        "variables": {"f": None},
    }
    body = httpx.post(
        f"{server.http_url}/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
        files={"0": (path.name, path.read_bytes())},
        headers={"authorization": f"Bearer {token}", "apollo-require-preflight": "1"},
        timeout=60,
    ).json()
    result = body["data"]["uploadDocument"]
    assert result["__typename"] == "UploadDocumentSuccess", result
    return str(result["document"]["id"])


def statuses(server: LiveServer, token: str) -> dict[str, dict[str, Any]]:
    data = graphql(
        server,
        token,
        "{ documents(first: 100) { edges { node { id title status version chunkCount "
        "attempts failure { code message } } } } }",
    )
    return {edge["node"]["id"]: edge["node"] for edge in data["documents"]["edges"]}


async def wait_until(condition: Any, what: str, seconds: float = 300, logs: Any = None) -> None:
    """Poll `condition()`, sync or async (documents change in other processes: there is no
    event of this process to await)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        met = condition()
        if inspect.isawaitable(met):
            met = await met
        if met:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{what} not reached in {seconds} s\n{logs() if logs else ''}")
        await asyncio.sleep(0.5)


async def follow(server: LiveServer, token: str, document_id: str) -> list[dict[str, Any]]:
    """Every `documentEvents` payload for the document, until the server completes."""
    query = "subscription($id: ID!) { documentEvents(id: $id) { status progress attempts } }"
    seen: list[dict[str, Any]] = []
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": {"id": document_id}},
                }
            )
        )
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=300))
            if message["type"] == "complete":
                return seen
            assert message["type"] == "next", message
            seen.append(message["payload"]["data"]["documentEvents"])


def restart(script: str, service: str) -> None:
    """Stop and start one service of `scripts/services` (a clean stop: SIGTERM, or SHUTDOWN)."""
    for command in ("stop", "start"):
        subprocess.run([script, command, service], check=True, cwd=ROOT, capture_output=True)


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    if TEST_DATABASE != "postgres":
        pytest.skip("runs in the PostgreSQL pass (production runs on PostgreSQL)")
    for reason in (postgres_unreachable_reason(), redis_unreachable_reason()):
        require(reason)
    weaviate = require_weaviate()
    objects = require_object_store()
    services_script = require_services_script()
    collection = f"BeaconTopology{uuid.uuid4().hex}"
    # The processes run the default embedder, whose vectors have a collection of their own.
    vectors = space_name(collection, build_backend(DEFAULT_EMBEDDER, None, 1).name, separator="_")
    prefix = f"topology-{uuid.uuid4().hex}/"
    async with scratch_postgres(POSTGRES_URL) as database_url:
        with redis_database(14) as redis_url, ExitStack() as processes:
            env = {
                "BEACON_DATABASE_URL": database_url,
                "BEACON_REDIS_URL": redis_url,
                "BEACON_SECRET_KEY": secrets.token_urlsafe(48),
                "BEACON_BCRYPT_ROUNDS": "4",
                "BEACON_VECTOR_STORE": "weaviate",
                "BEACON_WEAVIATE_URL": weaviate.url,
                "BEACON_WEAVIATE_API_KEY": weaviate.api_key or "",
                "BEACON_WEAVIATE_GRPC_PORT": str(weaviate.grpc_port),
                "BEACON_WEAVIATE_COLLECTION": collection,
                "BEACON_FILE_STORE": "s3",
                "BEACON_S3_ENDPOINT": objects.endpoint,
                "BEACON_S3_REGION": objects.region,
                "BEACON_S3_BUCKET": objects.bucket,
                "BEACON_S3_PREFIX": prefix,
                "BEACON_S3_ACCESS_KEY_ID": objects.access_key_id,
                "BEACON_S3_SECRET_ACCESS_KEY": objects.secret_access_key,
                # A killed worker's documents are picked up once their lease expires. The lease
                # stays longer than an attempt stalls while Weaviate restarts (10 s timeouts):
                # a shorter one lets a second attempt start beside it, which fencing keeps
                # harmless (tests/e2e/documents/test_faults.py) but which starts the followed
                # document's progress again, and this test checks progress never goes back.
                "BEACON_INGEST_LEASE_SECONDS": "30",
                "BEACON_SWEEP_INTERVAL_SECONDS": "1",
                "BEACON_RETRY_BACKOFF_SECONDS": "0.5",
                "BEACON_INGEST_MAX_ATTEMPTS": "10",
                "BEACON_WORKER_THREADS": "4",
                "HF_HUB_OFFLINE": "1",
            }
            await apply_migrations(database_url)
            api_a = processes.enter_context(live_server(tmp_path / "api-a", **env))
            api_b = processes.enter_context(live_server(tmp_path / "api-b", **env))
            try:
                yield Stack(
                    api_a,
                    api_b,
                    env,
                    database_url,
                    collection,
                    vectors,
                    prefix,
                    tmp_path,
                    services_script,
                )
            finally:
                for name in {collection, vectors}:
                    await drop_collection(name)
                await empty_prefix(prefix, tmp_path)


def require_services_script() -> str:
    script = os.environ.get("BEACON_TEST_SERVICES")
    if not script:
        require("restarting Weaviate and Redis needs the stack of ./scripts/services")
    assert script is not None
    return script


@asynccontextmanager
async def weaviate_store(collection: str) -> AsyncIterator[WeaviateVectorStore]:
    """A started store on the test Weaviate's `collection`, closed afterwards."""
    server = require_weaviate()
    store = WeaviateVectorStore(
        server.url,
        server.api_key,
        SentenceTransformerEmbedder.dimensions,
        collection=collection,
        grpc_port=server.grpc_port,
    )
    await store.start()
    try:
        yield store
    finally:
        await store.close()


async def drop_collection(collection: str) -> None:
    async with weaviate_store(collection) as store:
        await store.drop()


async def empty_prefix(prefix: str, tmp: Path) -> None:
    bucket = s3_file_store(require_object_store(), tmp / "cleanup", prefix=prefix)
    for key in await bucket.keys():
        await bucket.delete(key)


async def stored_counts(stack: Stack) -> tuple[dict[str, int], set[str]]:
    """Chunk rows per document in PostgreSQL, and the keys in the bucket."""
    connection = await asyncpg.connect(stack.database_url)
    try:
        rows = await connection.fetch("SELECT document_id, count(*) FROM chunk GROUP BY 1")
    finally:
        await connection.close()
    bucket = s3_file_store(require_object_store(), stack.tmp / "check", prefix=stack.prefix)
    return {str(row[0]): int(row[1]) for row in rows}, await bucket.keys()


async def weaviate_counts(
    stack: Stack, organization_id: uuid.UUID, ids: list[str]
) -> dict[str, int]:
    async with weaviate_store(stack.vectors) as store:
        return {i: await store.count(organization_id, uuid.UUID(i)) for i in ids}


def search_titles(server: LiveServer, token: str, query: str) -> list[str]:
    data = graphql(
        server,
        token,
        "query($q: String!) { search(query: $q, first: 5) { document { title } } }",
        q=query,
    )
    return [hit["document"]["title"] for hit in data["search"]]


async def test_two_apis_and_two_workers_ingest_search_and_answer_through_kills_and_restarts(
    stack: Stack,
) -> None:
    admin = sign_up(stack.api_a, "Acme", "ada@example.com")
    outsider = sign_up(stack.api_b, "Globex", "hank@example.com")
    organization_id = uuid.UUID(
        graphql(stack.api_a, admin, "{ me { organization { id } } }")["me"]["organization"]["id"]
    )
    workers = [WorkerProcess(stack.env, stack.tmp / f"worker-{n}.log") for n in (1, 2)]

    def logs() -> str:
        return "\n".join(worker.log()[-3000:] for worker in workers)

    try:
        # Twenty reports through API A; one of them followed live through API B.
        ids = [
            upload(stack.api_a, admin, write_report(stack.tmp, word, n))
            for n, word in enumerate(WORDS)
        ]
        followed = asyncio.create_task(follow(stack.api_b, admin, ids[0]))

        # SIGKILL one worker once ingestion is under way, and start it again.
        await wait_until(
            lambda: any(d["status"] == "READY" for d in statuses(stack.api_b, admin).values()),
            "a first READY document",
            logs=logs,
        )
        assert any(not is_final(d) for d in statuses(stack.api_b, admin).values())
        workers[0].kill()
        again = WorkerProcess(stack.env, stack.tmp / "worker-1-again.log")
        workers.append(again)
        # Its boot needs Weaviate (a worker that cannot reach a store at boot exits, for its
        # supervisor to start it again), so it boots before Weaviate is restarted below.
        await wait_until(lambda: "worker services ready" in again.log(), "the new worker", 120)

        # More reports, then Weaviate and Redis restart while they are being ingested.
        ids += [
            upload(stack.api_a, admin, write_report(stack.tmp, word, 20 + n))
            for n, word in enumerate(LATE_WORDS)
        ]
        assert any(not is_final(d) for d in statuses(stack.api_b, admin).values())
        await asyncio.to_thread(restart, stack.services_script, "weaviate")
        await asyncio.to_thread(restart, stack.services_script, "redis")

        await wait_until(
            lambda: all(is_final(d) for d in statuses(stack.api_b, admin).values()),
            "every document final",
            logs=logs,
        )
        documents = statuses(stack.api_b, admin)
        assert set(documents) == set(ids)
        assert {d["status"] for d in documents.values()} == {"READY"}, (documents, logs())
        assert {d["version"] for d in documents.values()} == {1}

        # Exactly once: SQL chunk rows, the document's count and Weaviate's objects agree.
        chunk_rows, keys = await stored_counts(stack)
        vectors = await weaviate_counts(stack, organization_id, ids)
        for document_id, document in documents.items():
            expected = document["chunkCount"]
            assert expected > 0
            assert chunk_rows[document_id] == expected == vectors[document_id], document["title"]
        assert keys == {uuid.UUID(i).hex for i in ids}
        assert not (stack.tmp / "api-b" / "uploads" / "files").exists()  # nothing on local disk

        events = await asyncio.wait_for(followed, timeout=60)
        assert events[-1]["status"] == "READY"
        # A killed worker's or restarted store's attempt is taken over by a new one, which
        # starts again: progress only rises within an attempt, and attempts only go up.
        steps = [(e["attempts"], e["progress"]) for e in events]
        assert steps == sorted(steps)

        # Search and answers through API B find and cite the right report.
        assert search_titles(stack.api_b, admin, "kestrel project")[0] == "kestrel"
        answer = graphql(
            stack.api_b,
            admin,
            "mutation($i: AskInput!) { ask(input: $i) { __typename ... on Answer { text "
            "citations { document { title } } } } }",
            i={"question": "Who leads the kestrel project?"},
        )["ask"]
        assert answer["__typename"] == "Answer", answer
        assert "kestrel" in {c["document"]["title"] for c in answer["citations"]}
        assert PEOPLE[WORDS.index("kestrel") % len(PEOPLE)] in answer["text"]

        # Another organisation sees nothing.
        assert search_titles(stack.api_b, outsider, "kestrel project") == []
        assert statuses(stack.api_a, outsider) == {}

        # A delete through API A takes the report out of API B's search.
        kestrel = next(i for i, d in documents.items() if d["title"] == "kestrel")
        graphql(
            stack.api_a,
            admin,
            "mutation($id: ID!) { deleteDocument(id: $id) { __typename } }",
            id=kestrel,
        )
        await wait_until(
            lambda: "kestrel" not in search_titles(stack.api_b, admin, "kestrel project"),
            "the deleted report gone from search",
            seconds=60,
        )

        async def object_gone() -> bool:
            return uuid.UUID(kestrel).hex not in (await stored_counts(stack))[1]

        await wait_until(object_gone, "the deleted report's object gone from the bucket", 60)
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.stop()


def is_final(document: dict[str, Any]) -> bool:
    return document["status"] in ("READY", "FAILED")
