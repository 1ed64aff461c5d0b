"""Text no database can store (NUL characters, unpaired surrogates) is refused before any
resolver runs, with a clear error, whichever field it is sent to and however it is sent."""

import json
from typing import Any

import httpx
import pytest

from tests.support.graphql import PASSWORD, Account, GraphQLClient

ASK = "mutation($q: String!) { ask(input: {question: $q}) { __typename } }"
SIGN_UP = "mutation($i: SignUpInput!) { signUp(input: $i) { __typename ... on Error { message } } }"
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { __typename ... on Error { message } } }"
SEARCH = "query($q: String!) { search(query: $q) { text } }"


async def post(client: GraphQLClient, body: dict[str, Any], token: str) -> httpx.Response:
    """JSON with \\u escapes: a lone surrogate has no UTF-8 form for httpx's `json=`."""
    return await client.http.post(
        "/graphql",
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )


def refused(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "NUL" in error["message"] and "surrogate" in error["message"], error


@pytest.mark.parametrize("bad", ["hi\x00there", "hi\ud800there", "\udfff"])
@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (ASK, lambda bad: {"q": f"What about {bad}?"}),
        (SEARCH, lambda bad: {"q": bad}),
        (
            SIGN_UP,
            lambda bad: {
                "i": {"organizationName": bad, "email": "new@example.com", "password": PASSWORD}
            },
        ),
        (LOGIN, lambda bad: {"i": {"email": f"a{bad}@example.com", "password": PASSWORD}}),
        (LOGIN, lambda bad: {"i": {"email": "ada@example.com", "password": PASSWORD + bad}}),
    ],
    ids=["ask", "search", "signUp", "login email", "login password"],
)
async def test_unstorable_text_in_variables_is_refused_before_any_resolver(
    client: GraphQLClient, query: str, variables: Any, bad: str
) -> None:
    admin = await client.sign_up()
    refused(await post(client, {"query": query, "variables": variables(bad)}, admin.access_token))
    assert (await client.login(admin.email)).id == admin.id  # no resolver ran on the bad input


async def test_a_nul_escape_in_a_literal_is_refused(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    query = 'mutation { ask(input: {question: "a\\u0000b"}) { __typename } }'
    refused(await post(client, {"query": query}, admin.access_token))


async def test_ordinary_text_with_escapes_and_astral_characters_is_accepted(
    client: GraphQLClient,
) -> None:
    admin: Account = await client.sign_up()
    query = (
        'query($q: String!) { a: search(query: $q) { text } b: search(query: "\\u00e9") { text } }'
    )
    response = await post(
        client, {"query": query, "variables": {"q": "caf\u00e9 \U0001f600"}}, admin.access_token
    )
    assert response.json() == {"data": {"a": [], "b": []}}
