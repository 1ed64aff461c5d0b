"""Query cost: too costly operations are refused before any resolver; budgets throttle."""

import logging
import time
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


def doubling(levels: int) -> str:
    """`{ ...F0 }` where each fragment spreads the next twice: 2^levels spreads expanded."""
    fragments = " ".join(
        f"fragment F{level} on Query {{ ...F{level + 1} ...F{level + 1} }}"
        for level in range(levels - 1)
    )
    return f"{{ ...F0 }} {fragments} fragment F{levels - 1} on Query {{ __typename }}"


def spreading(times: int) -> str:
    """One fragment spread `times` times in the operation's selection set."""
    return "{ " + "...Name " * times + "} fragment Name on Query { __typename }"


# Without the limit this document takes hours of CPU; the timeout turns that into a failure.
@pytest.mark.timeout(30)
async def test_a_fragment_doubling_document_is_refused_at_once_and_the_next_request_answers(
    client: GraphQLClient,
) -> None:
    started = time.process_time()
    body = await client.execute(doubling(30))
    spent = time.process_time() - started

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "TOO_MANY_FRAGMENT_SPREADS"
    assert spent < 0.1, f"{spent * 1000:.0f} ms of CPU"
    assert await client.execute("{ __typename }") == {"data": {"__typename": "Query"}}


async def test_a_query_spreading_fragments_as_often_as_the_limit_runs(
    client: GraphQLClient, settings: Settings
) -> None:
    body = await client.execute(spreading(settings.max_fragment_spreads))

    assert body == {"data": {"__typename": "Query"}}


async def test_one_spread_over_the_limit_is_refused_before_any_resolver(
    client: GraphQLClient, settings: Settings
) -> None:
    body = await client.execute(spreading(settings.max_fragment_spreads + 1))

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "TOO_MANY_FRAGMENT_SPREADS",
        "maxFragmentSpreads": settings.max_fragment_spreads,
    }
    assert f"more than {settings.max_fragment_spreads} times" in error["message"]


async def test_an_anonymous_caller_is_not_charged_for_fields_refused_to_it(
    client: GraphQLClient,
) -> None:
    # 37 each: five of them would spend the address's 100 three times over.
    refused = [await client.execute(DOCUMENTS, {"n": 12}) for _ in range(5)]

    assert [body["errors"][0]["extensions"]["code"] for body in refused] == ["UNAUTHENTICATED"] * 5
    admin = await client.sign_up()  # from the same address, still within its budget
    assert admin.access_token


async def test_a_user_is_not_charged_for_fields_only_admins_may_run(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    users = "{ users(first: 12) { edges { node { id } } } }"  # costs 25

    refused = [await client.execute(users, token=bob.access_token) for _ in range(5)]

    assert [body["errors"][0]["extensions"]["code"] for body in refused] == ["FORBIDDEN"] * 5
    mixed = await client.execute(
        "{ me { email } users(first: 12) { edges { node { id } } } }", token=bob.access_token
    )
    assert mixed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for _ in range(2):  # 37 each, 74 of bob's 100: nothing was spent on the refused fields
        spent = await client.execute(DOCUMENTS, {"n": 12}, token=bob.access_token)
        assert "errors" not in spent, spent


class TestTheOrganisationsBudget:
    """`BEACON_QUERY_COST_PER_ORGANIZATION`: an organisation's members share one bucket."""

    @pytest.fixture
    def settings(self, tmp_path: Path, database_url: str) -> Settings:
        """Each member's own budget fits two queries of 37; their organisation's fits one."""
        return make_settings(
            tmp_path,
            database_url,
            max_query_cost=MAX_COST,
            query_cost_per_caller="100/minute",
            query_cost_per_organization="60/minute",
        )

    async def test_members_of_one_organisation_spend_its_budget_together(
        self, client: GraphQLClient
    ) -> None:
        admin = await client.sign_up()
        bob = await client.create_user(admin, "bob@example.com")  # bob's own spend: 2 of 100
        assert "errors" not in await client.execute(DOCUMENTS, {"n": 12}, token=admin.access_token)

        body = await client.execute(DOCUMENTS, {"n": 12}, token=bob.access_token)

        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "COST_BUDGET_EXCEEDED"
        assert error["extensions"]["cost"] == 37
        # What is left is the organisation's (60 less what its members spent), not bob's ~98.
        assert error["extensions"]["remaining"] < 60 - 37
        assert error["extensions"]["retryAfterSeconds"] >= 1

    async def test_another_organisation_keeps_its_own_budget(self, client: GraphQLClient) -> None:
        admin = await client.sign_up()
        assert "errors" not in await client.execute(DOCUMENTS, {"n": 12}, token=admin.access_token)
        assert (await client.execute(DOCUMENTS, {"n": 12}, token=admin.access_token))["errors"]

        other = await client.sign_up("grace@example.com", organization="Globex")
        body = await client.execute(DOCUMENTS, {"n": 12}, token=other.access_token)

        assert body == {"data": {"documents": {"edges": []}}}
