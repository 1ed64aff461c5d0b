"""auditLog: who did what, from where, newest first, for the organisation's ADMINs only."""

import asyncio
from typing import Any

from tests.support.graphql import GraphQLClient

AUDIT_LOG = """
query($first: Int, $after: String, $action: String, $actorId: ID, $since: DateTime) {
  auditLog(first: $first, after: $after, action: $action, actorId: $actorId, since: $since) {
    edges { node {
      action targetType targetId ipAddress requestId details createdAt actor { id email }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""
FAILED = "user.login_failed"
DEACTIVATE = "mutation($id: ID!) { deactivateUser(id: $id) { __typename } }"


async def events(client: GraphQLClient, token: str, **variables: Any) -> list[dict[str, Any]]:
    body = await client.execute(AUDIT_LOG, variables, token=token)
    assert not body.get("errors"), body
    return [edge["node"] for edge in body["data"]["auditLog"]["edges"]]


async def test_admin_actions_are_recorded_newest_first_with_actor_target_and_origin(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    response = await client.post(
        {"query": DEACTIVATE, "variables": {"id": bob.id}},
        admin.access_token,
        x_request_id="deactivate-bob",
    )
    assert response.json()["data"]["deactivateUser"]["__typename"] == "User"

    recorded = await events(client, admin.access_token)

    assert [event["action"] for event in recorded] == [
        "user.deactivated",
        "user.login",  # bob, signed in by create_user
        "user.created",
        "user.created",  # the organisation's first ADMIN, at sign-up
    ]
    deactivated = recorded[0]
    assert deactivated["actor"] == {"id": admin.id, "email": admin.email}
    assert (deactivated["targetType"], deactivated["targetId"]) == ("user", bob.id)
    assert deactivated["ipAddress"] == "203.0.113.7"
    assert deactivated["requestId"] == "deactivate-bob"
    assert recorded[2]["details"] == {"role": "USER"}


async def test_events_filter_by_action_actor_and_time_and_page(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    for i in range(3):
        await client.create_user(admin, f"user{i}@example.com")
    bob = await client.login("user0@example.com")

    logins = await events(client, admin.access_token, action="user.login")
    assert len(logins) == 4 and all(event["action"] == "user.login" for event in logins)
    by_bob = await events(client, admin.access_token, actorId=bob.id)
    assert {event["actor"]["id"] for event in by_bob} == {bob.id}
    latest = logins[0]["createdAt"]
    assert [e["createdAt"] for e in await events(client, admin.access_token, since=latest)] == [
        latest
    ]

    first_page = await client.execute(AUDIT_LOG, {"first": 2}, token=admin.access_token)
    cursor = first_page["data"]["auditLog"]["pageInfo"]["endCursor"]
    rest = await events(client, admin.access_token, first=100, after=cursor)
    assert len(rest) == 8 - 2  # 4 users created (the ADMIN too), 3 logins, bob again


async def test_a_failed_login_is_recorded_without_an_actor(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    body = await client.execute(
        "mutation($input: LoginInput!) { login(input: $input) { __typename } }",
        {"input": {"email": admin.email, "password": "not the password at all"}},
    )
    assert body["data"]["login"]["__typename"] == "InvalidCredentials"

    # Written beside the answer (so that known addresses answer as fast as unknown ones).
    async with asyncio.timeout(10):
        while not (found := await events(client, admin.access_token, action=FAILED)):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    [failed] = found

    assert failed["actor"] is None
    assert (failed["targetType"], failed["targetId"]) == ("user", admin.id)
    assert failed["details"] == {"reason": "password"}


async def test_users_and_other_organisations_see_none_of_it(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    stranger = await client.sign_up("stranger@example.com", "Globex")

    refused = await client.execute(AUDIT_LOG, token=bob.access_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    theirs = await events(client, stranger.access_token)
    assert [event["action"] for event in theirs] == ["user.created"]
    assert bob.id not in {event["targetId"] for event in theirs}


async def test_an_action_longer_than_any_recorded_one_matches_nothing(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    assert await events(client, admin.access_token, action="x" * 500) == []  # the fuzzer's


async def test_a_bad_cursor_is_a_clear_error(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    body = await client.execute(AUDIT_LOG, {"after": "nonsense"}, token=admin.access_token)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_time_no_calendar_has_is_a_readable_error_not_a_masked_one(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    body = await client.execute(
        AUDIT_LOG, {"since": "1367-02-14T09:44:25.000347+00:37:48"}, token=admin.access_token
    )  # an offset with seconds in it: found by the schema fuzzer
    [error] = body["errors"]
    assert "Unexpected error" not in error["message"]
    assert "DateTime" in error["message"]


async def test_a_time_without_a_timezone_is_a_clear_error(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    body = await client.execute(
        AUDIT_LOG, {"since": "2000-01-01T00:00:00"}, token=admin.access_token
    )  # PostgreSQL's timestamptz refuses to compare with it: found by the schema fuzzer
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "since"}, error
    assert "timezone" in error["message"]
