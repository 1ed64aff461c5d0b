"""Query cost: too costly operations are refused before any resolver; budgets throttle."""

import logging
from pathlib import Path

import pytest

from domain.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import GraphQLClient

MAX_COST = 50
DOCUMENTS = "query($n: Int!) { documents(first: $n) { edges { node { id uploadedBy { id } } } } }"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """A small cost ceiling and budget, so a test reaches them in a few requests."""
    return make_settings(
        tmp_path,
        database_url,
        max_query_cost=MAX_COST,
        query_cost_per_caller="100/minute",
        query_cost_per_organization="1000/minute",
    )


async def test_a_query_over_the_cost_limit_is_refused_without_touching_the_documents(
    client: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await client.sign_up()
    caplog.set_level(logging.DEBUG, logger="tortoise")

    body = await client.execute(DOCUMENTS, {"n": 20}, token=admin.access_token)

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 61, "maxCost": MAX_COST}
    assert "could return 61 objects" in error["message"]
    statements = [r.getMessage() for r in caplog.records if r.name.startswith("tortoise")]
    assert not [s for s in statements if '"document"' in s], statements


async def test_a_query_within_the_limit_runs(client: GraphQLClient) -> None:
    admin = await client.sign_up()

    body = await client.execute(DOCUMENTS, {"n": 10}, token=admin.access_token)

    assert body == {"data": {"documents": {"edges": []}}}


async def test_the_page_size_counts_at_its_default_when_left_out(client: GraphQLClient) -> None:
    admin = await client.sign_up()

    body = await client.execute(
        "{ documents { edges { node { id uploadedBy { id } } } } }", token=admin.access_token
    )

    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_a_spent_budget_throttles_with_the_remaining_budget_and_a_wait(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    spent = [await client.execute(DOCUMENTS, {"n": 12}, token=admin.access_token) for _ in range(2)]
    assert all("errors" not in body for body in spent)

    body = await client.execute(DOCUMENTS, {"n": 12}, token=admin.access_token)

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "COST_BUDGET_EXCEEDED"
    assert error["extensions"]["cost"] == 37
    assert error["extensions"]["remaining"] == 100 - 37 - 37
    assert error["extensions"]["retryAfterSeconds"] >= 1
    assert "try again in" in error["message"]


async def test_a_cheap_query_still_runs_while_the_budget_covers_it(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    for _ in range(2):
        await client.execute(DOCUMENTS, {"n": 12}, token=admin.access_token)

    body = await client.execute("{ me { email } }", token=admin.access_token)

    assert body == {"data": {"me": {"email": admin.email}}}
