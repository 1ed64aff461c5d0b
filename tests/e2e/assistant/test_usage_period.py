"""`usage(since:)` takes a moment with its timezone; a moment without one is a clear error."""

from tests.support.graphql import GraphQLClient

USAGE = "query($since: DateTime) { usage(since: $since) { questions } }"


async def test_a_moment_without_a_timezone_is_a_clear_error(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    body = await client.execute(USAGE, {"since": "2000-01-01T00:00:00"}, admin.access_token)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "since"}, error
    assert "timezone" in error["message"]


async def test_a_moment_with_a_timezone_is_answered(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    for since in ("2000-01-01T00:00:00Z", "2000-01-01T02:00:00+02:00"):
        body = await client.execute(USAGE, {"since": since}, admin.access_token)
        assert body == {"data": {"usage": {"questions": 0}}}, body
