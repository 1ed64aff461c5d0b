"""Open websockets live only as long as their user's session: every operation re-checks the
token, and the socket closes when it expires (4401) or when the user's sessions end (4403), in
this API process and in every other one."""

import asyncio
import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.identity.models import Role
from domain.identity.tokens import TokenCodec
from tests.e2e.test_websocket import close_code, receive, send, signed_in
from tests.support.graphql import LOGIN, PASSWORD, SIGN_UP
from tests.support.live_server import LiveServer, live_server

pytestmark = pytest.mark.embedded_process

SECRET_KEY = secrets.token_urlsafe(48)
LOGOUT = "mutation { logout { __typename } }"
CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) { changePassword(input: $input) { __typename } }"""
USERS = "query { users(first: 5) { edges { node { email } } } }"
ME = "query { me { email } }"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ws-sessions")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[LiveServer]:
    # The periodic re-check is far away: only a notification or an operation can close a
    # socket within these tests.
    with live_server(
        data_dir, BEACON_SECRET_KEY=SECRET_KEY, BEACON_WEBSOCKET_RECHECK_SECONDS="600"
    ) as running:
        yield running


def sign_up(server: LiveServer) -> dict[str, Any]:
    """A new organisation's ADMIN: the payload of `signUp`."""
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    body = httpx.post(
        f"{server.http_url}/graphql",
        json={
            "query": SIGN_UP,
            "variables": {
                "input": {"organizationName": "Acme", "email": email, "password": PASSWORD}
            },
        },
    ).json()
    payload: dict[str, Any] = body["data"]["signUp"]
    return payload


def post(server: LiveServer, token: str, query: str, variables: Any = None) -> dict[str, Any]:
    response = httpx.post(
        f"{server.http_url}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    return body


def write(data_dir: Path, sql: str, *parameters: Any) -> None:
    """Change the account behind the server's back: no notification is published."""
    with sqlite3.connect(data_dir / "beacon.sqlite3") as database:
        database.execute(sql, parameters)


async def query(ws: Any, operation_id: str, document: str) -> dict[str, Any]:
    """Run one query on the socket: its result, once the server said it is complete."""
    await send(ws, {"id": operation_id, "type": "subscribe", "payload": {"query": document}})
    result = await receive(ws)
    assert await receive(ws) == {"id": operation_id, "type": "complete"}
    return result


async def test_logging_out_closes_the_users_open_sockets_at_once_with_4403(
    server: LiveServer,
) -> None:
    account = sign_up(server)
    token = account["accessToken"]
    async with signed_in(server, token) as first, signed_in(server, token) as second:
        assert post(server, token, LOGOUT)["data"]["logout"]
        assert await close_code(first) == 4403
        assert await close_code(second) == 4403


async def test_changing_the_password_closes_the_users_open_sockets_with_4403(
    server: LiveServer,
) -> None:
    account = sign_up(server)
    async with signed_in(server, account["accessToken"]) as ws:
        changed = post(
            server,
            account["accessToken"],
            CHANGE_PASSWORD,
            {"input": {"currentPassword": PASSWORD, "newPassword": PASSWORD + " again"}},
        )
        assert changed["data"]["changePassword"]["__typename"] == "AuthPayload"
        assert await close_code(ws) == 4403


async def test_deactivating_a_user_closes_their_open_sockets_with_4403(server: LiveServer) -> None:
    admin = sign_up(server)
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    created = post(
        server,
        admin["accessToken"],
        "mutation($input: CreateUserInput!) { createUser(input: $input) { ... on User { id } } }",
        {"input": {"email": email, "password": PASSWORD}},
    )["data"]["createUser"]
    login = httpx.post(
        f"{server.http_url}/graphql",
        json={"query": LOGIN, "variables": {"input": {"email": email, "password": PASSWORD}}},
    ).json()["data"]["login"]
    async with signed_in(server, login["accessToken"]) as ws:
        deactivated = post(
            server,
            admin["accessToken"],
            "mutation($id: ID!) { deactivateUser(id: $id) { __typename } }",
            {"id": created["id"]},
        )
        assert deactivated["data"]["deactivateUser"]["__typename"] == "User"
        assert await close_code(ws) == 4403


async def test_other_users_sockets_stay_open_when_one_user_logs_out(server: LiveServer) -> None:
    leaving, staying = sign_up(server), sign_up(server)
    async with signed_in(server, staying["accessToken"]) as ws:
        post(server, leaving["accessToken"], LOGOUT)
        reply = await query(ws, "1", ME)
        assert reply["payload"]["data"]["me"]["email"] == staying["user"]["email"]


async def test_a_socket_closes_with_4401_when_its_token_expires(server: LiveServer) -> None:
    account = sign_up(server)
    user = account["user"]
    # A token of the normal lifetime, issued long enough ago that 2 seconds are left.
    lifetime = timedelta(minutes=15)
    codec = TokenCodec(SECRET_KEY, "beacon", "beacon-api", lifetime)
    token, expires_at = codec.issue_access(
        uuid.UUID(user["id"]),
        uuid.UUID(user["organization"]["id"]),
        Role.ADMIN,
        0,
        now=datetime.now(UTC) - lifetime + timedelta(seconds=2),
    )
    async with signed_in(server, token) as ws:
        assert (await query(ws, "1", ME))["payload"]["data"]["me"]
        await asyncio.wait_for(close_code(ws), timeout=10)
        assert ws.close_code == 4401
        assert datetime.now(UTC) >= expires_at.replace(microsecond=0)  # the claim has seconds


async def test_an_operation_after_a_revocation_nobody_announced_closes_the_socket(
    server: LiveServer, data_dir: Path
) -> None:
    account = sign_up(server)
    async with signed_in(server, account["accessToken"]) as ws:
        assert (await query(ws, "1", ME))["payload"]["data"]["me"]
        write(
            data_dir,
            "UPDATE user SET token_version = token_version + 1 WHERE id = ?",
            account["user"]["id"],
        )
        await send(ws, {"id": "2", "type": "subscribe", "payload": {"query": ME}})
        assert await close_code(ws) == 4403


async def test_each_operation_runs_with_the_role_the_user_has_now(
    server: LiveServer, data_dir: Path
) -> None:
    account = sign_up(server)
    async with signed_in(server, account["accessToken"]) as ws:
        assert (await query(ws, "1", USERS))["payload"]["data"]["users"]
        write(data_dir, "UPDATE user SET role = 'USER' WHERE id = ?", account["user"]["id"])
        demoted = await query(ws, "2", USERS)
        assert demoted["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_lost_notification_is_made_up_for_by_the_periodic_recheck(
    tmp_path: Path,
) -> None:
    with live_server(tmp_path, BEACON_WEBSOCKET_RECHECK_SECONDS="1") as quick:
        account = sign_up(quick)
        async with signed_in(quick, account["accessToken"]) as ws:
            write(
                tmp_path,
                "UPDATE user SET token_version = token_version + 1 WHERE id = ?",
                account["user"]["id"],
            )
            assert await close_code(ws) == 4403
