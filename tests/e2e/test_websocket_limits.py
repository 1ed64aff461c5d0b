"""graphql-transport-ws served in-process (so faults can be injected): masked errors, duplicate
ids, the per-connection subscription cap, and other organisations' documents."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import websockets
from websockets.exceptions import ConnectionClosed

from api.app import create_app
from domain.bootstrap import Services
from domain.settings import Settings
from tests.conftest import make_settings
from tests.support import documents as files
from tests.support.databases import empty_tables
from tests.support.graphql import Account, GraphQLClient
from workers.runtime import build_process

PROTOCOL = "graphql-transport-ws"
MAX_SUBSCRIPTIONS = 2
EVENTS = "subscription($id: ID!) { documentEvents(id: $id) { id status } }"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        max_subscriptions_per_connection=MAX_SUBSCRIPTIONS,
        ask_rate_per_user="1/minute",
    )


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """Services whose job queue no worker consumes: an uploaded document stays QUEUED, so its
    `documentEvents` subscription stays open."""
    _, built = build_process(settings)
    await built.start()
    await empty_tables(built.database)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def ws_url(settings: Settings, services: Services) -> AsyncIterator[str]:
    """The app on a loopback port of this event loop, sharing the test's services."""
    config = uvicorn.Config(
        create_app(settings, services), host="127.0.0.1", port=0, lifespan="off", log_level="error"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "uvicorn stopped before it started"
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await serving


@asynccontextmanager
async def signed_in(url: str, account: Account) -> AsyncIterator[websockets.ClientConnection]:
    """A connection that sent connection_init with the account's token and got its ack."""
    async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        init = {"authorization": f"Bearer {account.access_token}"}
        await send(ws, {"type": "connection_init", "payload": init})
        assert (await receive(ws))["type"] == "connection_ack"
        yield ws


async def send(ws: websockets.ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: websockets.ClientConnection, within: float = 5) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), within))  # type: ignore[no-any-return]


async def subscribe(
    ws: websockets.ClientConnection, id: str, query: str, variables: dict[str, Any] | None = None
) -> None:
    payload = {"query": query, "variables": variables or {}}
    await send(ws, {"id": id, "type": "subscribe", "payload": payload})


async def watch_queued_document(ws: websockets.ClientConnection, id: str, document_id: str) -> None:
    """Subscribe to a document no worker processes: the subscription stays open."""
    await subscribe(ws, id, EVENTS, {"id": document_id})
    message = await receive(ws)
    assert message["type"] == "next", message
    assert message["payload"]["data"]["documentEvents"]["status"] == "QUEUED"


async def uploaded(client: GraphQLClient, account: Account, tmp_path: Path) -> str:
    result = await client.upload(account, files.write_text(tmp_path))
    return str(result["document"]["id"])


async def test_an_unexpected_error_is_masked_over_websockets(
    client: GraphQLClient,
    services: Services,
    ws_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = await client.sign_up()

    async def broken(*args: object) -> None:
        raise KeyError("/internal/path")

    async def broken_stream(*args: object) -> AsyncIterator[None]:
        raise KeyError("/internal/path")
        yield  # an async generator, like the real one

    monkeypatch.setattr(services.identity, "list_users", broken)
    monkeypatch.setattr(services.documents, "watch", broken_stream)
    async with signed_in(ws_url, account) as ws:
        await subscribe(ws, "q", "{ users { edges { cursor } } }")
        await subscribe(ws, "s", EVENTS, {"id": "8a8f0f5e-0000-4000-8000-000000000000"})
        received = [await receive(ws) for _ in range(4)]
    errors = [m for m in received if m["type"] in ("next", "error")]
    assert {m["id"] for m in errors} == {"q", "s"}
    for message in errors:
        payload = message["payload"]
        found = payload["errors"] if message["type"] == "next" else payload
        assert [error["message"] for error in found] == ["Unexpected error."], message
    assert "internal" not in json.dumps(received)


async def test_a_duplicate_subscription_id_closes_with_4409(
    client: GraphQLClient, ws_url: str, tmp_path: Path
) -> None:
    account = await client.sign_up()
    document_id = await uploaded(client, account, tmp_path)
    async with signed_in(ws_url, account) as ws:
        await watch_queued_document(ws, "same", document_id)
        await subscribe(ws, "same", EVENTS, {"id": document_id})
        with pytest.raises(ConnectionClosed):
            await receive(ws)
        assert ws.close_code == 4409


async def test_subscriptions_per_connection_are_capped_and_freed_on_complete(
    client: GraphQLClient, ws_url: str, tmp_path: Path
) -> None:
    account = await client.sign_up()
    document_id = await uploaded(client, account, tmp_path)
    async with signed_in(ws_url, account) as ws:
        for number in range(MAX_SUBSCRIPTIONS):
            await watch_queued_document(ws, f"w{number}", document_id)
        await subscribe(ws, "over", EVENTS, {"id": document_id})
        refused = await receive(ws)
        assert refused["id"] == "over" and refused["type"] == "error"
        assert refused["payload"][0]["message"] == "Subscription limit reached"
        # Completing one frees its place; the connection stays usable.
        await send(ws, {"id": "w0", "type": "complete"})
        await subscribe(ws, "me", "{ me { email } }")
        while (message := await receive(ws))["id"] == "w0":
            pass
        assert message == {
            "id": "me",
            "type": "next",
            "payload": {"data": {"me": {"email": account.email}}},
        }


async def test_document_events_for_another_organisations_document_is_not_found(
    client: GraphQLClient, ws_url: str, tmp_path: Path
) -> None:
    owner = await client.sign_up()
    stranger = await client.sign_up("mallory@example.com", "Globex")
    document_id = await uploaded(client, owner, tmp_path)
    missing_id = "8a8f0f5e-0000-4000-8000-000000000000"
    answers = []
    async with signed_in(ws_url, stranger) as ws:
        for id, wanted in (("foreign", document_id), ("missing", missing_id)):
            await subscribe(ws, id, EVENTS, {"id": wanted})
            message = await receive(ws)
            assert message["type"] == "next", message
            assert message["payload"]["data"] is None
            answers.append(message["payload"]["errors"])
            assert await receive(ws) == {"id": id, "type": "complete"}
    foreign, missing = answers
    # Exactly the answer a missing id gets: nothing tells the stranger the document exists.
    assert foreign == missing
    assert foreign[0]["message"] == "No such document."
    assert foreign[0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_question_over_the_users_limit_ends_with_rate_limited_naming_the_wait(
    ws_url: str, client: GraphQLClient
) -> None:
    admin = await client.sign_up()
    answer = "subscription($q: String!) { answer(input: {question: $q}) { __typename "
    answer += "... on AnswerError { code message } } }"
    async with signed_in(ws_url, admin) as ws:
        for operation_id in ("1", "2"):
            payload = {"query": answer, "variables": {"q": "Are receipts needed?"}}
            await send(ws, {"id": operation_id, "type": "subscribe", "payload": payload})
            events = []
            # The first question loads the embedding model: give it time on a busy machine.
            while (message := await receive(ws, within=120))["type"] != "complete":
                events.append(message["payload"]["data"]["answer"])
        assert events == [
            {"__typename": "AnswerError", "code": "RATE_LIMITED", "message": events[0]["message"]}
        ]
        assert "try again in" in events[0]["message"]
