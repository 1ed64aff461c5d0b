"""`beacon serve` with BEACON_LOG_FORMAT=json writes nothing but JSON lines, its own and its
libraries', and a GraphQL request's lines name the request, the caller and the operation."""

import json
from pathlib import Path

import httpx
import pytest

from tests.support.graphql import PASSWORD, SIGN_UP
from tests.support.live_server import live_server

pytestmark = pytest.mark.embedded_process


def test_serve_writes_only_json_lines_naming_request_caller_and_operation(
    tmp_path: Path,
) -> None:
    with live_server(tmp_path, BEACON_LOG_FORMAT="json") as server:
        signed_up = httpx.post(
            f"{server.http_url}/graphql",
            json={
                "query": SIGN_UP,
                "variables": {
                    "input": {
                        "organizationName": "Acme",
                        "email": "l@example.com",
                        "password": PASSWORD,
                    }
                },
            },
        ).json()["data"]["signUp"]
        response = httpx.post(
            f"{server.http_url}/graphql",
            json={"query": "query Me { me { id } }"},
            headers={
                "authorization": f"Bearer {signed_up['accessToken']}",
                "x-request-id": "serve-req-1",
            },
        )
        assert response.status_code == 200 and response.headers["x-request-id"] == "serve-req-1"
    output = (tmp_path / "serve.log").read_text()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    for line in lines:
        assert {"timestamp", "level", "logger", "event"} <= line.keys(), line
    loggers = {line["logger"] for line in lines}
    assert {"beacon.cli", "uvicorn.error", "beacon.graphql", "beacon.access"} <= loggers
    (operation,) = [
        line
        for line in lines
        if line["event"] == "graphql operation" and line.get("request_id") == "serve-req-1"
    ]
    assert operation["user_id"] == signed_up["user"]["id"]
    assert operation["organization_id"] == signed_up["user"]["organization"]["id"]
    assert operation["operation_name"] == "Me" and operation["duration_ms"] > 0
