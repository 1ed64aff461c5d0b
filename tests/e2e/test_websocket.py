"""graphql-transport-ws on a live server: authentication and protocol errors."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support import documents as files
from tests.support.graphql import PASSWORD, SIGN_UP
from tests.support.live_server import LiveServer, live_server

pytestmark = pytest.mark.embedded_process

PROTOCOL = "graphql-transport-ws"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("ws"),
        BEACON_WEBSOCKET_INIT_TIMEOUT_SECONDS="1",
        BEACON_MAX_WEBSOCKETS_PER_USER="3",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def token(server: LiveServer) -> str:
    body = httpx.post(
        f"{server.http_url}/graphql",
        json={
            "query": SIGN_UP,
            "variables": {
                "input": {
                    "organizationName": "Acme",
                    "email": "ws@example.com",
                    "password": PASSWORD,
                }
            },
        },
    ).json()
    return str(body["data"]["signUp"]["accessToken"])


async def connect(server: LiveServer) -> websockets.ClientConnection:
    return await websockets.connect(server.ws_url, subprotocols=[PROTOCOL])  # type: ignore[list-item]


@asynccontextmanager
async def signed_in(server: LiveServer, token: str) -> AsyncIterator[websockets.ClientConnection]:
    """A connection that sent connection_init with the token and got its ack."""
    async with await connect(server) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        assert (await receive(ws))["type"] == "connection_ack"
        yield ws


async def send(ws: websockets.ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: websockets.ClientConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=5))  # type: ignore[no-any-return]


async def close_code(ws: websockets.ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), timeout=5)
    assert ws.close_code is not None
    return ws.close_code


async def test_a_valid_token_in_connection_init_is_acknowledged(
    server: LiveServer, token: str
) -> None:
    async with await connect(server) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        assert (await receive(ws))["type"] == "connection_ack"
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": "{ me { email } }"}})
        assert (await receive(ws))["payload"] == {"data": {"me": {"email": "ws@example.com"}}}
        assert (await receive(ws)) == {"id": "1", "type": "complete"}


async def test_a_bad_token_closes_with_4403(server: LiveServer) -> None:
    async with await connect(server) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": "Bearer nope"}})
        assert await close_code(ws) == 4403


async def test_a_missing_token_closes_with_4403(server: LiveServer) -> None:
    async with await connect(server) as ws:
        await send(ws, {"type": "connection_init", "payload": {}})
        assert await close_code(ws) == 4403


async def test_no_connection_init_closes_with_4408(server: LiveServer) -> None:
    async with await connect(server) as ws:
        assert await close_code(ws) == 4408


async def test_subscribing_before_the_ack_closes_with_4401(server: LiveServer) -> None:
    async with await connect(server) as ws:
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}})
        assert await close_code(ws) == 4401


async def test_a_second_connection_init_closes_with_4429(server: LiveServer, token: str) -> None:
    async with await connect(server) as ws:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await send(ws, init)
        assert (await receive(ws))["type"] == "connection_ack"
        await send(ws, init)
        assert await close_code(ws) == 4429


async def test_only_the_graphql_transport_ws_subprotocol_is_spoken(server: LiveServer) -> None:
    try:
        async with websockets.connect(server.ws_url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
            assert await close_code(ws) == 4406
    except InvalidStatus as refused:
        assert refused.response.status_code in (400, 403)


async def test_validation_errors_stay_readable_over_websockets(
    server: LiveServer, token: str
) -> None:
    async with signed_in(server, token) as ws:
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": "{ nope }"}})
        message = await receive(ws)
        assert message["type"] == "error"
        assert "Cannot query field 'nope'" in message["payload"][0]["message"]


def test_the_live_server_reports_ready_and_metrics(server: LiveServer) -> None:
    assert httpx.get(f"{server.http_url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{server.http_url}/readyz").json() == {"status": "ready"}
    assert "beacon_http_requests_total" in httpx.get(f"{server.http_url}/metrics").text


async def test_connections_per_user_are_capped_and_released_on_close(
    server: LiveServer, token: str
) -> None:
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
    open_sockets = []
    try:
        for _ in range(3):
            ws = await connect(server)
            open_sockets.append(ws)
            await send(ws, init)
            assert (await receive(ws))["type"] == "connection_ack"
        async with await connect(server) as extra:
            await send(extra, init)
            assert await close_code(extra) == 4403
    finally:
        for ws in open_sockets:
            await ws.close()
    # The server counts a connection out when its handler ends, just after the closing
    # handshake: until then a new one may still be refused, and after it must be acknowledged.
    deadline = time.monotonic() + 10
    while True:
        async with await connect(server) as again:
            await send(again, init)
            try:
                assert (await receive(again))["type"] == "connection_ack"
                break
            except ConnectionClosed:
                assert again.close_code == 4403
                assert time.monotonic() < deadline, "closed connections were never released"
        await asyncio.sleep(0.05)


async def test_document_events_stream_every_change_until_ready(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    document_id = upload(server, token, files.write_docx(tmp_path))
    query = "subscription($id: ID!) { documentEvents(id: $id) { id status progress chunkCount } }"
    seen: list[dict[str, Any]] = []
    async with signed_in(server, token) as ws:
        await send(
            ws,
            {
                "id": "d",
                "type": "subscribe",
                "payload": {"query": query, "variables": {"id": document_id}},
            },
        )
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=120))
            if message["type"] == "complete":
                break
            assert message["type"] == "next", message
            seen.append(message["payload"]["data"]["documentEvents"])
    assert seen[-1]["status"] == "READY"
    assert seen[-1]["chunkCount"] > 0
    progress = [event["progress"] for event in seen]
    assert progress == sorted(progress)
    assert len(seen) >= 2


async def test_document_events_for_a_foreign_id_is_not_found(
    server: LiveServer, token: str
) -> None:
    query = "subscription($id: ID!) { documentEvents(id: $id) { id } }"
    async with signed_in(server, token) as ws:
        await send(
            ws,
            {
                "id": "x",
                "type": "subscribe",
                "payload": {
                    "query": query,
                    "variables": {"id": "8a8f0f5e-0000-4000-8000-000000000000"},
                },
            },
        )
        message = await receive(ws)
        assert message["type"] in ("next", "error")
        errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
        assert errors[0]["message"] == "No such document."
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"


ANSWER = """subscription($input: AskInput!) { answer(input: $input) { __typename
  ... on AnswerDelta { text conversationId }
  ... on AnswerCitations { citations { snippet document { id } } }
  ... on AnswerDone { reply { id text } conversation { id } }
  ... on AnswerError { code message } } }"""


def upload(server: LiveServer, token: str, path: Path) -> str:
    """uploadDocument as a multipart request to the live server; returns the document id."""
    operations = {
        "query": "mutation($f: Upload!) { uploadDocument(input: {file: $f}) "
        "{ ... on UploadDocumentSuccess { document { id } } } }",
        "variables": {"f": None},
    }
    body = httpx.post(
        f"{server.http_url}/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
        files={"0": (path.name, path.read_bytes())},
        headers={"authorization": f"Bearer {token}", "apollo-require-preflight": "1"},
    ).json()
    return str(body["data"]["uploadDocument"]["document"]["id"])


def upload_markdown(server: LiveServer, token: str, path: Path) -> str:
    """Upload, then wait until READY."""
    document_id = upload(server, token, path)
    for _ in range(600):
        status = httpx.post(
            f"{server.http_url}/graphql",
            json={"query": f'{{ document(id: "{document_id}") {{ status }} }}'},
            headers={"authorization": f"Bearer {token}"},
        ).json()["data"]["document"]["status"]
        if status in ("READY", "FAILED"):
            assert status == "READY"
            return document_id
        time.sleep(0.1)
    raise TimeoutError("document not ready")


async def test_an_answer_streams_deltas_then_citations_then_done(
    server: LiveServer, token: str, tmp_path: Path
) -> None:
    policy = tmp_path / "expenses.md"
    policy.write_text(
        "# Expenses\n\nReceipts are required for every expense over 25 euros.\n\n"
        "Travel expenses are reimbursed within 30 days.\n"
    )
    document_id = upload_markdown(server, token, policy)
    kinds: list[str] = []
    deltas: list[str] = []
    async with signed_in(server, token) as ws:
        variables = {"input": {"question": "Are receipts required for expenses?"}}
        await send(
            ws,
            {"id": "a", "type": "subscribe", "payload": {"query": ANSWER, "variables": variables}},
        )
        while True:
            message = await receive(ws)
            if message["type"] == "complete":
                break
            event = message["payload"]["data"]["answer"]
            kinds.append(event["__typename"])
            if event["__typename"] == "AnswerDelta":
                deltas.append(event["text"])
            elif event["__typename"] == "AnswerCitations":
                assert event["citations"][0]["document"]["id"] == document_id
            elif event["__typename"] == "AnswerDone":
                assert event["reply"]["text"] == "".join(deltas)
    assert kinds[0] == "AnswerDelta" and kinds.count("AnswerDelta") > 3
    assert kinds[-2:] == ["AnswerCitations", "AnswerDone"]


async def test_an_answer_stopped_at_its_first_delta_still_names_its_conversation(
    server: LiveServer, token: str
) -> None:
    async with signed_in(server, token) as ws:
        first = {"input": {"question": "Are receipts required for expenses?"}}
        await send(
            ws, {"id": "a", "type": "subscribe", "payload": {"query": ANSWER, "variables": first}}
        )
        delta = (await receive(ws))["payload"]["data"]["answer"]
        await send(ws, {"id": "a", "type": "complete"})
        conversation_id = delta["conversationId"]
        follow_up = {"input": {"question": "And for travel?", "conversationId": conversation_id}}
        await send(
            ws,
            {"id": "b", "type": "subscribe", "payload": {"query": ANSWER, "variables": follow_up}},
        )
        while (message := await receive(ws))["id"] != "b" or message["type"] == "complete":
            pass
        event = message["payload"]["data"]["answer"]
    assert event["__typename"] == "AnswerDelta"
    assert event["conversationId"] == conversation_id


async def test_completing_an_answer_early_leaves_the_connection_usable(
    server: LiveServer, token: str
) -> None:
    async with signed_in(server, token) as ws:
        variables = {"input": {"question": "Are receipts required for expenses?"}}
        await send(
            ws,
            {"id": "a", "type": "subscribe", "payload": {"query": ANSWER, "variables": variables}},
        )
        await receive(ws)
        await send(ws, {"id": "a", "type": "complete"})
        await send(ws, {"id": "b", "type": "subscribe", "payload": {"query": "{ me { email } }"}})
        while (message := await receive(ws))["id"] != "b":
            pass
        assert message["payload"] == {"data": {"me": {"email": "ws@example.com"}}}


async def test_an_empty_question_is_an_answer_error(server: LiveServer, token: str) -> None:
    async with signed_in(server, token) as ws:
        variables = {"input": {"question": "  "}}
        await send(
            ws,
            {"id": "e", "type": "subscribe", "payload": {"query": ANSWER, "variables": variables}},
        )
        event = (await receive(ws))["payload"]["data"]["answer"]
        assert event["__typename"] == "AnswerError"
        assert event["code"] == "INVALID_INPUT"


async def test_a_cookie_on_the_handshake_never_authenticates_the_connection(
    server: LiveServer, token: str
) -> None:
    cookies = f"authorization=Bearer {token}; access_token={token}; token={token}"
    async with await websockets.connect(
        server.ws_url,
        subprotocols=[PROTOCOL],  # type: ignore[list-item]
        additional_headers={"Cookie": cookies},
    ) as ws:
        await send(ws, {"type": "connection_init", "payload": {}})
        assert await close_code(ws) == 4403


async def test_a_sign_in_over_a_websocket_cannot_ask_for_the_refresh_cookie(
    server: LiveServer, token: str
) -> None:
    """Its answer could set no cookie: the request is refused before a session starts, with
    a reason, rather than handing out a refresh token nobody receives."""
    login = (
        'mutation { login(input: {email: "ws@example.com", password: "' + PASSWORD + '", '
        "refreshTokenInCookie: true}) { __typename } }"
    )
    async with signed_in(server, token) as ws:
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": login}})
        message = await receive(ws)
    assert message["type"] == "next", message
    error = message["payload"]["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "websocket cannot set cookies" in error["message"]
