"""A real `beacon serve` process on a free loopback port, for websocket and CLI tests."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class LiveServer:
    """Where the server listens."""

    http_url: str
    ws_url: str
    process: subprocess.Popen[bytes]


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(data_dir: Path, **env: str) -> Iterator[LiveServer]:
    """Start `beacon serve` (embedded default) and stop it afterwards."""
    port = free_port()
    environment = {
        **os.environ,
        "BEACON_DATA_DIR": str(data_dir),
        "BEACON_BCRYPT_ROUNDS": "4",
        **env,
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Start-up loads the embedding model before it listens: a minute or more on a busy
        # machine.
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"beacon serve exited: {(data_dir / 'serve.log').read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("beacon serve did not become ready in 180 s")
            time.sleep(0.2)
        yield LiveServer(http_url=base, ws_url=f"ws://127.0.0.1:{port}/graphql", process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
