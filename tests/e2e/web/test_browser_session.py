"""The web app in Chromium against a live `beacon serve` that serves the built app (web/dist):
web/e2e's browser tests walk a person's whole session (sign up, upload, ask and open the cited
page, rate, admin and deactivation, sign out) with axe-core, 360 px, console and other-host
checks. Nothing is built here: `scripts/test` builds web/dist first. Runs in both passes, on the
embedded default (SQLite) and on PostgreSQL."""

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, ExitStack
from pathlib import Path

import httpx
import pytest

from cli.scratch import scratch_postgres
from domain.database import apply_migrations
from tests.support.browser import IN_CI, NODE, browser_env, needs_browser
from tests.support.databases import POSTGRES_URL, TEST_DATABASE, postgres_unreachable_reason
from tests.support.live_server import LiveServer, live_server
from tests.support.services import require

WEB = Path(__file__).resolve().parents[3] / "web"
DIST = WEB / "dist"
BROWSER_RUN_SECONDS = 600
SCREENSHOTS = Path(os.environ.get("BEACON_SCREENSHOTS_DIR") or WEB / "e2e" / "screenshots")

pytestmark = needs_browser(WEB)


def _text(output: str | bytes | None) -> str:
    # TimeoutExpired carries bytes even when the run asked for text.
    return output.decode(errors="replace") if isinstance(output, bytes) else (output or "")


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    if not (DIST / "index.html").is_file():
        message = f"{DIST}/index.html is missing: build the app first (`npm run build` in web/)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    env = {"BEACON_WEB_DIST": str(DIST), "HF_HUB_OFFLINE": "1"}
    async with AsyncExitStack() as databases:
        if TEST_DATABASE == "postgres":
            require(postgres_unreachable_reason())
            database_url = await databases.enter_async_context(scratch_postgres(POSTGRES_URL))
            await apply_migrations(database_url)
            env["BEACON_DATABASE_URL"] = database_url
        with ExitStack() as processes:
            running = processes.enter_context(live_server(tmp_path / "server", **env))
            # Fail in a second, not after every browser wait, when / is not the app.
            page = httpx.get(f"{running.http_url}/", timeout=10)
            assert page.status_code == 200 and '<div id="root">' in page.text, (
                f"beacon serve does not serve {DIST} at /: {page.status_code} {page.text[:200]}"
            )
            yield running


# Starting the server (it loads the embedding model) and the walk (ingestion, answers) take
# minutes on a busy machine.
@pytest.mark.timeout(BROWSER_RUN_SECONDS + 300)
async def test_a_whole_session_in_the_browser(server: LiveServer, tmp_path: Path) -> None:
    assert NODE is not None
    try:
        finished = await asyncio.to_thread(
            subprocess.run,
            [NODE, "--test", "e2e/"],
            cwd=WEB,
            env={
                **browser_env(),
                "BEACON_URL": server.http_url,
                # Each pass keeps its own screenshots (CI keeps BEACON_SCREENSHOTS_DIR).
                "BEACON_SCREENSHOTS_DIR": str(SCREENSHOTS / TEST_DATABASE),
            },
            capture_output=True,
            text=True,
            timeout=BROWSER_RUN_SECONDS,
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(
            f"the browser tests still ran after {BROWSER_RUN_SECONDS} s\n"
            f"{_text(timeout.stdout)}{_text(timeout.stderr)}"
        )
    if finished.returncode != 0:
        pytest.fail(
            f"the browser tests failed (screenshots in {SCREENSHOTS / TEST_DATABASE})"
            f"\n{finished.stdout}{finished.stderr}\nserver log:\n"
            f"{(tmp_path / 'server' / 'serve.log').read_text(errors='replace')[-4000:]}"
        )
