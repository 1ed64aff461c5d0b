"""Files opened through their downloadUrl in Chromium: a PDF shows inline at `#page=N`, an
uploaded HTML file cannot run script on Beacon's origin (tests/clients/files.mjs drives the
browser through playwright-core, on the system's Chromium)."""

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import documents as files
from tests.support.browser import NODE, browser_env, needs_browser
from tests.support.graphql import Account, GraphQLClient
from tests.support.live_server import LiveServer, live_server

CLIENTS = Path(__file__).resolve().parents[1] / "clients"

pytestmark = [
    pytest.mark.embedded_process,
    *needs_browser(CLIENTS),
]

HOSTILE_HTML = b"""<!doctype html>
<html><head><title>Travel policy</title></head>
<body><h1>Travel policy</h1><p>Employees book trains for trips under four hours.</p>
<script>fetch("/script-ran?cookie=" + encodeURIComponent(document.cookie));
document.title = "script ran";</script>
</body></html>
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("files-in-browser")) as running:
        yield running


async def download_url(client: GraphQLClient, account: Account, path: Path) -> str:
    uploaded = await client.upload(account, path)
    body = await client.execute(
        "query($id: ID!) { document(id: $id) { downloadUrl } }",
        {"id": uploaded["document"]["id"]},
        token=account.access_token,
    )
    return str(body["data"]["document"]["downloadUrl"])


async def test_a_pdf_opens_at_its_page_and_html_cannot_run_script_in_the_browser(
    server: LiveServer, tmp_path: Path
) -> None:
    assert NODE is not None
    page = tmp_path / "policy.html"
    page.write_bytes(HOSTILE_HTML)
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        client = GraphQLClient(http)
        admin = await client.sign_up()
        pdf_url = await download_url(client, admin, files.write_multi_page_pdf(tmp_path))
        html_url = await download_url(client, admin, page)

    finished = await asyncio.to_thread(
        subprocess.run,
        [NODE, "files.mjs", server.http_url + pdf_url, server.http_url + html_url],
        cwd=CLIENTS,
        env=browser_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert finished.returncode == 0, f"{finished.stdout}{finished.stderr}"
