"""The API's log lines name the request, the caller and the operation, with its duration."""

from tests.support.graphql import GraphQLClient
from tests.support.logs import configured_logging


async def test_a_graphql_request_logs_its_operation_with_the_caller_and_duration(
    client: GraphQLClient,
) -> None:
    account = await client.sign_up()
    with configured_logging("json") as logs:
        response = await client.post(
            {"query": "query Me { me { email } }"}, account.access_token, x_request_id="req-42"
        )
    assert response.status_code == 200 and response.headers["x-request-id"] == "req-42"
    (operation,) = logs.events("graphql operation")
    assert operation["request_id"] == "req-42"
    assert (operation["user_id"], operation["organization_id"]) == (
        account.id,
        account.organization_id,
    )
    assert (operation["operation_name"], operation["operation_type"]) == ("Me", "query")
    assert operation["errors"] == 0 and operation["duration_ms"] > 0
    (access,) = logs.events("http request")
    assert access["request_id"] == "req-42" and access["user_id"] == account.id
    assert (access["method"], access["path"], access["status"]) == ("POST", "/graphql", 200)
    assert access["operation_name"] == "Me" and access["duration_ms"] >= operation["duration_ms"]


async def test_an_operation_that_fails_validation_logs_its_errors(client: GraphQLClient) -> None:
    with configured_logging("json") as logs:
        await client.post({"query": "query Broken { nothing }"}, x_request_id="req-43")
    (operation,) = logs.events("graphql operation")
    assert (operation["request_id"], operation["errors"]) == ("req-43", 1)
    assert "user_id" not in operation


async def test_each_request_logs_only_its_own_context(client: GraphQLClient) -> None:
    account = await client.sign_up()
    with configured_logging("json") as logs:
        await client.post({"query": "{ me { email } }"}, account.access_token, x_request_id="a")
        await client.post({"query": "{ __typename }"}, x_request_id="b")
    first, second = logs.events("graphql operation")
    assert first["request_id"] == "a" and first["user_id"] == account.id
    assert second["request_id"] == "b" and "user_id" not in second


async def test_probes_are_logged_only_when_debugging(client: GraphQLClient) -> None:
    with configured_logging("json") as logs:
        assert (await client.http.get("/healthz")).status_code == 200
    assert logs.events("http request") == []
    with configured_logging("json", "DEBUG") as logs:
        await client.http.get("/healthz")
    (probe,) = logs.events("http request")
    assert (probe["path"], probe["status"], probe["level"]) == ("/healthz", 200, "debug")
