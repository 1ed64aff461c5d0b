"""Real JavaScript clients (urql, Apollo; tests/clients) against a live `beacon serve`.

Each script signs up, uploads a document as a GraphQL multipart request, follows
`documentEvents` to READY, streams an `answer` over graphql-transport-ws and asks a
follow-up with `ask`; it exits non-zero with the reason when anything differs from the contract.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer, live_server

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
NODE = shutil.which("node")

# CI must run them: there a missing Node or npm install fails the test instead of skipping it.
IN_CI = bool(os.environ.get("CI"))
pytestmark = [
    pytest.mark.embedded_process,
    pytest.mark.skipif(NODE is None and not IN_CI, reason="node is not installed"),
    pytest.mark.skipif(
        not (CLIENTS / "node_modules").is_dir() and not IN_CI,
        reason="run `npm ci --prefix tests/clients` first",
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("node-clients"), BEACON_BCRYPT_ROUNDS="4") as running:
        yield running


def _text(output: str | bytes | None) -> str:
    # TimeoutExpired carries bytes even when the run asked for text.
    return output.decode(errors="replace") if isinstance(output, bytes) else (output or "")


@pytest.mark.parametrize("script", ["urql.mjs", "apollo.mjs"])
def test_the_client_signs_up_uploads_and_streams_a_cited_answer(
    server: LiveServer, script: str
) -> None:
    assert NODE is not None
    try:
        finished = subprocess.run(
            [NODE, script],
            cwd=CLIENTS,
            env={**os.environ, "BEACON_URL": server.http_url},
            capture_output=True,
            text=True,
            timeout=240,
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(
            f"{script} still running after 240 s\n{_text(timeout.stdout)}{_text(timeout.stderr)}"
        )
    assert finished.returncode == 0, (
        f"{script} exited {finished.returncode}\n{finished.stdout}{finished.stderr}"
    )
