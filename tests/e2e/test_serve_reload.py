"""`beacon serve --reload` (compose.dev.yml's API): a change to Beacon's code restarts the app."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import free_port

pytestmark = pytest.mark.embedded_process

ROOT = Path(__file__).resolve().parents[2]


def wait_until(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + 180  # start-up loads the embedding model
    while not condition():
        assert time.monotonic() < deadline, f"{what}: {log.read_text()}"
        time.sleep(0.2)


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_a_change_to_the_code_reloads_the_app(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    environment = {**os.environ, "BEACON_DATA_DIR": str(tmp_path / "data")}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--reload"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the reloader's child goes with it
        )
    started = "Application startup complete"
    try:
        wait_until(lambda: ready(url), "ready", log_path)
        assert log_path.read_text().count(started) == 1
        source = ROOT / "cli" / "serving.py"
        os.utime(source)  # the same code, a new modification time: a change to watch

        wait_until(lambda: log_path.read_text().count(started) == 2, "reloaded", log_path)
        wait_until(lambda: ready(url), "ready again", log_path)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)

    output = log_path.read_text()
    assert "detected changes in 'cli/serving.py'. Reloading" in output
    assert "Traceback" not in output
