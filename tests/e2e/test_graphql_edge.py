"""The GraphQL edge refuses abuse before any resolver runs, and masks what it must."""

import asyncio
import gc
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from domain.bootstrap import Services
from domain.settings import Settings
from tests.support.graphql import PASSWORD, GraphQLClient


async def test_a_query_20_levels_deep_is_refused_before_any_resolver(
    client: GraphQLClient,
) -> None:
    deep = "id"
    for level in range(20):
        deep = f"level{level} {{ {deep} }}"
    body = await client.execute(f"{{ me {{ {deep} }} }}")
    messages = [error["message"] for error in body["errors"]]
    assert any("exceeds maximum operation depth" in m for m in messages), messages
    # Execution never started: no data, and no resolver error (`me` would say "Sign in first").
    assert body["data"] is None
    assert all("path" not in error for error in body["errors"])


async def test_a_query_one_level_deeper_than_the_limit_is_refused_and_one_at_it_is_not(
    client: GraphQLClient, settings: Settings
) -> None:
    def nested(levels: int) -> str:  # `me` is level 0, `id` the deepest level
        deep = "id"
        for level in range(levels - 1):
            deep = f"l{level} {{ {deep} }}"
        return f"{{ me {{ {deep} }} }}"

    at_limit = await client.execute(nested(settings.max_query_depth))
    over = await client.execute(nested(settings.max_query_depth + 1))
    assert not any("depth" in error["message"] for error in at_limit["errors"]), at_limit
    assert any("exceeds maximum operation depth" in e["message"] for e in over["errors"]), over


async def test_depth_is_counted_through_fragments(client: GraphQLClient) -> None:
    fragments = "".join(
        f"fragment F{i} on User {{ organization {{ ...G{i} }} }} "
        f"fragment G{i} on Organization {{ id }} "
        for i in range(1)
    )
    shallow = await client.execute("{ me { ...F0 } } " + fragments)
    assert all("depth" not in e["message"] for e in shallow["errors"])
    deep = "id"
    for level in range(14):
        deep = f"l{level} {{ {deep} }}"
    body = await client.execute("query { me { ...Deep } } fragment Deep on User { " + deep + " }")
    assert any("exceeds maximum operation depth" in e["message"] for e in body["errors"])


async def test_200_aliases_are_refused(client: GraphQLClient) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"
    body = await client.execute(query)
    assert "aliases" in body["errors"][0]["message"]


async def test_50_aliased_logins_are_refused_before_any_password_is_checked(
    client: GraphQLClient,
) -> None:
    logins = " ".join(
        f'a{i}: login(input: {{email: "ada@example.com", password: "guess{i:04d}xxxxxx"}}) '
        "{ __typename }"
        for i in range(50)
    )
    body = await client.execute(f"mutation {{ {logins} }}")
    assert body.get("data") is None
    assert "aliases" in body["errors"][0]["message"]


async def test_an_oversized_query_document_is_refused_at_parse_time(
    client: GraphQLClient,
) -> None:
    query = "{ " + " ".join("__typename" for _ in range(3000)) + " }"
    body = await client.execute(query)
    assert "token" in body["errors"][0]["message"].lower()


async def test_a_batched_json_array_is_refused(client: GraphQLClient) -> None:
    response = await client.post([{"query": "{ __typename }"}, {"query": "{ __typename }"}])
    assert response.status_code == 400


async def test_a_mutation_over_get_is_refused(client: GraphQLClient) -> None:
    response = await client.http.get(
        "/graphql",
        params={"query": 'mutation { login(input: {email: "a", password: "b"}) { __typename } }'},
    )
    assert response.status_code == 400
    assert "mutations are not allowed when using GET" in response.text


async def test_a_query_over_get_is_answered(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_an_unexpected_error_is_masked_and_logged_with_the_request_id(
    client: GraphQLClient,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    account = await client.sign_up()

    async def broken(*args: object) -> None:
        raise KeyError("/internal/path")

    monkeypatch.setattr(services.identity, "list_users", broken)
    response = await client.post(
        {"query": "{ users { edges { cursor } } }"}, account.access_token, x_request_id="req-42"
    )
    assert response.headers["x-request-id"] == "req-42"
    error = response.json()["errors"][0]
    assert error["message"] == "Unexpected error."
    assert "internal" not in response.text
    logged = [r for r in caplog.records if r.name == "beacon.api" and r.levelname == "ERROR"]
    assert "req-42" in logged[0].getMessage()
    assert logged[0].exc_info is not None


async def test_validation_messages_stay_readable(client: GraphQLClient) -> None:
    body = await client.execute("{ nope }")
    assert "Cannot query field 'nope'" in body["errors"][0]["message"]


async def test_a_json_body_over_the_cap_is_refused_with_413(client: GraphQLClient) -> None:
    big = {"query": "{ __typename }", "variables": {"pad": "x" * (1024 * 1024 + 10)}}
    response = await client.post(big)
    assert response.status_code == 413


async def test_a_chunked_body_over_the_cap_is_refused_with_413(client: GraphQLClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}}'

    response = await client.http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_multipart_requests_need_a_preflight_header(client: GraphQLClient) -> None:
    files = {
        "operations": (None, '{"query": "{ __typename }", "variables": {}}'),
        "map": (None, "{}"),
    }
    refused = await client.http.post("/graphql", files=files)
    assert refused.status_code == 400
    assert "apollo-require-preflight" in refused.text
    accepted = await client.http.post(
        "/graphql", files=files, headers={"apollo-require-preflight": "true"}
    )
    assert accepted.json() == {"data": {"__typename": "Query"}}


@pytest.fixture
async def locked_down(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    production_like = settings.model_copy(update={"introspection": False, "graphiql": False})
    app = create_app(production_like, services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://beacon.test"
    ) as http:
        yield http


async def test_introspection_graphiql_and_suggestions_can_be_switched_off(
    locked_down: httpx.AsyncClient,
) -> None:
    introspection = await locked_down.post(
        "/graphql", json={"query": "{ __schema { types { name } } }"}
    )
    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    typo = await locked_down.post("/graphql", json={"query": "{ mee { id } }"})
    assert "Did you mean" not in typo.json()["errors"][0]["message"]
    ide = await locked_down.get("/graphql", headers={"accept": "text/html"})
    assert ide.status_code == 404


async def test_graphiql_and_suggestions_are_on_in_development(client: GraphQLClient) -> None:
    typo = await client.execute("{ mee { id } }")
    assert "Did you mean 'me'" in typo["errors"][0]["message"]
    ide = await client.http.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" in ide.text.lower()


async def test_wrong_credentials_do_not_leak_through_errors(client: GraphQLClient) -> None:
    body = await client.execute(
        'mutation { login(input: {email: "x@example.com", password: "' + PASSWORD + '"}) '
        "{ __typename } }"
    )
    assert body == {"data": {"login": {"__typename": "InvalidCredentials"}}}


async def test_a_request_past_its_deadline_is_cancelled_and_answered_504(
    client: GraphQLClient,
    settings: Settings,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = await client.sign_up()
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def stuck(*args: object) -> None:
        started.set()
        try:
            await asyncio.Event().wait()  # nothing ever sets it: only the deadline ends this
        except asyncio.CancelledError:
            cancelled.set()
            raise

    monkeypatch.setattr(services.identity, "list_users", stuck)
    hurried = create_app(settings.model_copy(update={"request_timeout_seconds": 0.3}), services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hurried), base_url="http://beacon.test"
    ) as http:
        async with asyncio.timeout(10):  # without a deadline the request would never end
            response = await http.post(
                "/graphql",
                json={"query": "{ users { edges { cursor } } }"},
                headers={"authorization": f"Bearer {account.access_token}"},
            )
    assert started.is_set()
    assert response.status_code == 504
    assert response.json() == {"errors": [{"message": "The request took too long."}]}
    # The work stopped with the answer: nothing keeps running for a client that gave up.
    assert cancelled.is_set()


async def test_an_upload_refused_before_its_resolver_leaves_no_file_open(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    query = "mutation($i: UploadDocumentInput!) { uploadDocument(input: $i) { __typename } }"
    refusals = [
        ({}, {"file": None}),  # not signed in
        ({"authorization": f"Bearer {admin.access_token}"}, {"file": None, "title": "a\x00b"}),
        ({"authorization": f"Bearer {admin.access_token}"}, {"file": None, "visibility": "NOPE"}),
    ]
    for headers, variables in refusals:
        response = await client.http.post(
            "/graphql",
            data={
                "operations": json.dumps({"query": query, "variables": {"i": variables}}),
                "map": json.dumps({"0": ["variables.i.file"]}),
            },
            files={"0": ("notes.txt", b"x" * 2_000_000, "text/plain")},  # spooled to disk
            headers={"apollo-require-preflight": "true", **headers},
        )
        assert response.json()["errors"], response.text
    # An upload file left open warns (an error in this suite) when it is collected.
    gc.collect()
