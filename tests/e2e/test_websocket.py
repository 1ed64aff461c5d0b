"""graphql-transport-ws on a live server: authentication and protocol errors."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support.graphql import PASSWORD, SIGN_UP
from tests.support.live_server import LiveServer, live_server

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
    async with await connect(server) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        await receive(ws)
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
    await asyncio.sleep(0.2)
    async with await connect(server) as again:
        await send(again, init)
        assert (await receive(again))["type"] == "connection_ack"
