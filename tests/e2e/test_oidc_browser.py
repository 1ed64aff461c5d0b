"""Company sign-in in Chromium: Beacon's sign-in page, the test provider's own login page, and
the signed-in web app (tests/clients/oidc.mjs drives the browser through playwright-core, on the
system's Chromium, against a live `beacon serve` of the built app and the `oidc` service)."""

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.browser import IN_CI, NODE, browser_env, needs_browser
from tests.support.graphql import PASSWORD
from tests.support.live_server import LiveServer, live_server
from tests.support.oidc import PASSWORD as PROVIDER_PASSWORD
from tests.support.oidc import configure_oidc, register_client, require_oidc_issuer, sign_up

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
PROVIDER_NAME = "Acme SSO"

pytestmark = [
    pytest.mark.embedded_process,
    *needs_browser(CLIENTS),
]


@pytest.fixture
def issuer() -> str:
    return require_oidc_issuer()


@pytest.fixture
def server(tmp_path: Path, issuer: str) -> Iterator[LiveServer]:
    if not (DIST / "index.html").is_file():
        message = f"{DIST}/index.html is missing: build the app first (./scripts/build-web)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with live_server(tmp_path / "server", BEACON_WEB_DIST=str(DIST), HF_HUB_OFFLINE="1") as running:
        page = httpx.get(f"{running.http_url}/", timeout=10)
        assert page.status_code == 200 and '<div id="root">' in page.text, (
            f"beacon serve does not serve {DIST} at /: {page.status_code} {page.text[:200]}"
        )
        yield running


@pytest.mark.timeout(600)
async def test_a_person_signs_in_through_the_providers_login_page_into_the_web_app(
    server: LiveServer, issuer: str, tmp_path: Path
) -> None:
    assert NODE is not None
    acme = sign_up(server.http_url, "Acme", "admin@acme.test", PASSWORD)
    client = register_client(issuer, server.http_url + "/auth/oidc/callback")
    configure_oidc(server.http_url, acme, issuer, client, ["acme.test"], PROVIDER_NAME)

    finished = await asyncio.to_thread(
        subprocess.run,
        [
            NODE,
            "oidc.mjs",
            server.http_url,
            issuer,
            PROVIDER_NAME,
            "ada@acme.test",
            PROVIDER_PASSWORD,
            "bob@acme.test",
        ],
        cwd=CLIENTS,
        env=browser_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert finished.returncode == 0, (
        f"{finished.stdout}{finished.stderr}\nserver log:\n"
        f"{(tmp_path / 'server' / 'serve.log').read_text(errors='replace')[-4000:]}"
    )
