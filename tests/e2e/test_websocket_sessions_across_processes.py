"""Two API processes on PostgreSQL and Redis: a user's sessions ended through one close their
open websockets on the other at once."""

from contextlib import ExitStack
from pathlib import Path

import pytest

from cli.scratch import scratch_postgres
from domain.database import apply_migrations
from tests.e2e.test_websocket import close_code, signed_in
from tests.e2e.test_websocket_sessions import LOGOUT, SECRET_KEY, post, sign_up
from tests.support.databases import (
    POSTGRES_URL,
    TEST_DATABASE,
    postgres_unreachable_reason,
    redis_database,
    redis_unreachable_reason,
)
from tests.support.live_server import live_server
from tests.support.services import require


async def test_sessions_ended_through_one_api_process_close_sockets_on_another(
    tmp_path: Path,
) -> None:
    if TEST_DATABASE != "postgres":
        pytest.skip("runs in the PostgreSQL pass: two API processes share PostgreSQL and Redis")
    for reason in (postgres_unreachable_reason(), redis_unreachable_reason()):
        require(reason)
    async with scratch_postgres(POSTGRES_URL) as database_url:
        await apply_migrations(database_url)
        with redis_database(8) as redis_url, ExitStack() as processes:
            env = {
                "BEACON_DATABASE_URL": database_url,
                "BEACON_REDIS_URL": redis_url,
                "BEACON_SECRET_KEY": SECRET_KEY,
                "BEACON_WEBSOCKET_RECHECK_SECONDS": "600",
            }
            api_a = processes.enter_context(live_server(tmp_path / "api-a", **env))
            api_b = processes.enter_context(live_server(tmp_path / "api-b", **env))
            account = sign_up(api_a)
            async with signed_in(api_a, account["accessToken"]) as ws:
                assert post(api_b, account["accessToken"], LOGOUT)["data"]["logout"]
                assert await close_code(ws) == 4403
