"""updateUser, deactivateUser and reactivateUser: ADMINs run their organisation's accounts, and
the organisation always keeps an active ADMIN."""

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from domain.settings import Settings
from tests.support.databases import TEST_DATABASE
from tests.support.graphql import PASSWORD, Account, GraphQLClient

RESULT = """
    __typename
    ... on User { id role isActive }
    ... on Error { message code }
"""
UPDATE_USER = "mutation($input: UpdateUserInput!) { updateUser(input: $input) {" + RESULT + "} }"
DEACTIVATE_USER = "mutation($id: ID!) { deactivateUser(id: $id) {" + RESULT + "} }"
REACTIVATE_USER = "mutation($id: ID!) { reactivateUser(id: $id) {" + RESULT + "} }"
USERS = "{ users { edges { node { email } } } }"
REFRESH = """
mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { __typename } }"""
LOGIN = """
mutation($input: LoginInput!) { login(input: $input) { __typename } }"""
WAITING_FOR_A_ROW_LOCK = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'"""


async def set_role(client: GraphQLClient, admin: Account, user: Account, role: str) -> Any:
    body = await client.execute(
        UPDATE_USER, {"input": {"id": user.id, "role": role}}, token=admin.access_token
    )
    return body["data"]["updateUser"]


async def deactivate(client: GraphQLClient, admin: Account, user: Account) -> Any:
    body = await client.execute(DEACTIVATE_USER, {"id": user.id}, token=admin.access_token)
    return body["data"]["deactivateUser"]


async def reactivate(client: GraphQLClient, admin: Account, user: Account) -> Any:
    body = await client.execute(REACTIVATE_USER, {"id": user.id}, token=admin.access_token)
    return body["data"]["reactivateUser"]


async def test_a_promoted_user_acts_as_admin_on_their_next_request(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    forbidden = await client.execute(USERS, token=bob.access_token)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    promoted = await set_role(client, admin, bob, "ADMIN")

    assert promoted == {"__typename": "User", "id": bob.id, "role": "ADMIN", "isActive": True}
    assert (await client.execute(USERS, token=bob.access_token))["data"]["users"]


async def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    demoted = await set_role(client, admin, admin, "USER")
    deactivated = await deactivate(client, admin, admin)
    for refused in (demoted, deactivated):
        assert refused["__typename"] == "LastActiveAdmin"
        assert refused["code"] == "LAST_ACTIVE_ADMIN"
    me = await client.execute("{ me { role isActive } }", token=admin.access_token)
    assert me["data"]["me"] == {"role": "ADMIN", "isActive": True}


async def test_a_deactivated_admin_does_not_count_as_the_active_one(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    grace = await client.create_user(admin, "grace@example.com", role="ADMIN")
    assert (await deactivate(client, admin, grace))["isActive"] is False

    assert (await set_role(client, admin, admin, "USER"))["__typename"] == "LastActiveAdmin"
    assert (await set_role(client, admin, grace, "USER"))["role"] == "USER"


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    grace = await client.create_user(admin, "grace@example.com", role="ADMIN")

    bodies = await asyncio.gather(
        *(
            client.execute(UPDATE_USER, {"input": {"id": target.id, "role": "USER"}}, token=by)
            for by, target in ((admin.access_token, grace), (grace.access_token, admin))
        )
    )

    # Either both reach the row lock and the second finds the last admin, or one is demoted
    # before its own request is authorised and is refused as no longer an ADMIN.
    outcomes = sorted(
        body["data"]["updateUser"]["__typename"]
        if body["data"]
        else body["errors"][0]["extensions"]["code"]
        for body in bodies
    )
    assert outcomes in (["LastActiveAdmin", "User"], ["FORBIDDEN", "User"]), bodies
    users = await client.execute("{ users { nodes { role } } }", token=admin.access_token)
    if users["data"] is None:  # ada was the one demoted: ask as grace
        users = await client.execute("{ users { nodes { role } } }", token=grace.access_token)
    assert [user["role"] for user in users["data"]["users"]["nodes"]].count("ADMIN") == 1


async def test_changes_to_one_organisations_users_wait_for_each_other_on_postgresql(
    client: GraphQLClient, settings: Settings
) -> None:
    if TEST_DATABASE != "postgres":
        pytest.skip("SQLite runs every write transaction alone; the row lock is PostgreSQL's")
    admin = await client.sign_up()
    grace = await client.create_user(admin, "grace@example.com", role="ADMIN")
    database = await asyncpg.connect(settings.database_url)
    try:
        # Hold the organisation's row: the demotions queue behind it, then run one at a time.
        transaction = database.transaction()
        await transaction.start()
        await database.execute(
            "SELECT 1 FROM organization WHERE id = $1 FOR UPDATE", uuid.UUID(admin.organization_id)
        )
        results = asyncio.gather(
            set_role(client, admin, grace, "USER"), set_role(client, grace, admin, "USER")
        )
        # The event (a demotion waits for the row) happens in PostgreSQL: poll for it.
        async with asyncio.timeout(30):
            while await database.fetchval(WAITING_FOR_A_ROW_LOCK) == 0:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        await transaction.rollback()
        outcomes = await results
    finally:
        await database.close()
    assert sorted(result["__typename"] for result in outcomes) == ["LastActiveAdmin", "User"]


async def test_deactivation_stops_every_token_and_sign_in_until_reactivated(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")

    assert (await deactivate(client, admin, bob))["isActive"] is False

    me = await client.execute("{ me { id } }", token=bob.access_token)
    assert me["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    refreshed = await client.execute(REFRESH, {"input": {"refreshToken": bob.refresh_token}})
    assert refreshed["data"]["refreshToken"]["__typename"] == "InvalidRefreshToken"
    credentials = {"input": {"email": bob.email, "password": PASSWORD}}
    login = await client.execute(LOGIN, credentials)
    assert login["data"]["login"]["__typename"] == "InvalidCredentials"

    assert (await reactivate(client, admin, bob))["isActive"] is True
    login = await client.execute(LOGIN, credentials)
    assert login["data"]["login"]["__typename"] == "AuthPayload"


async def test_users_of_another_organisation_look_missing(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    stranger = await client.sign_up("stranger@example.com", "Globex")
    for result in (
        await set_role(client, admin, stranger, "USER"),
        await deactivate(client, admin, stranger),
        await reactivate(client, admin, stranger),
    ):
        assert result["__typename"] == "NotFoundError"
    body = await client.execute(REACTIVATE_USER, {"id": "not-a-uuid"}, token=admin.access_token)
    assert body["data"]["reactivateUser"]["__typename"] == "NotFoundError"
    me = await client.execute("{ me { role isActive } }", token=stranger.access_token)
    assert me["data"]["me"] == {"role": "ADMIN", "isActive": True}


async def test_a_user_cannot_change_users(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    for document, variables in (
        (UPDATE_USER, {"input": {"id": bob.id, "role": "ADMIN"}}),
        (DEACTIVATE_USER, {"id": admin.id}),
        (REACTIVATE_USER, {"id": bob.id}),
    ):
        body = await client.execute(document, variables, token=bob.access_token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
