"""`beacon demo` as a real process on a fresh data directory, then the tour's first steps."""

import re
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_cli import beacon
from tests.support.live_server import live_server

pytestmark = pytest.mark.embedded_process

LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename ... on AuthPayload { accessToken }
  }
}"""
SEARCH = """query($q: String!) {
  search(query: $q, first: 3) { text document { title status } }
}"""


def graphql(url: str, query: str, token: str | None = None, **variables: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_demo_creates_people_and_ready_documents_that_search_finds(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    first = beacon("demo", data_dir=data_dir)

    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert re.search(r"^\s+ready: 7$", first.stdout, re.MULTILINE), first.stdout
    passwords = dict(re.findall(r"^  (\S+@example\.com)  (\S+)$", first.stdout, re.MULTILINE))
    assert set(passwords) == {"admin@example.com", "user@example.com"}

    again = beacon("demo", data_dir=data_dir)

    assert again.returncode == 0, again.stderr
    assert re.search(r"^\s+duplicate: 7$", again.stdout, re.MULTILINE), again.stdout
    assert "the demo was already set up" in again.stdout
    assert "@example.com  " not in again.stdout, "no password printed twice"

    with live_server(data_dir) as server:
        for email, password in passwords.items():
            login = graphql(server.http_url, LOGIN, email=email, password=password)["login"]
            assert login["__typename"] == "AuthPayload", (email, login)
        hits = graphql(
            server.http_url, SEARCH, login["accessToken"], q="How many days of paid holiday?"
        )["search"]

    assert hits, "the user finds the demo documents"
    assert hits[0]["document"]["status"] == "READY"
    assert "27 days of paid holiday" in " ".join(hit["text"] for hit in hits)
