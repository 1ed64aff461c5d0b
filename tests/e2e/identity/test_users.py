"""me, users and user(id): roles per field, pagination and organisation boundaries."""

from domain.bootstrap import Services
from tests.support.graphql import GraphQLClient

USERS = """
query Users($first: Int, $after: String) {
  users(first: $first, after: $after) {
    edges { cursor node { id email } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""


async def test_me_answers_unauthenticated_without_a_token(client: GraphQLClient) -> None:
    body = await client.execute("{ me { id } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_admins_page_through_their_organisations_users(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    for i in range(4):
        await client.create_user(admin, f"user{i}@example.com")
    await client.sign_up("stranger@example.com", "Globex")
    seen: list[str] = []
    after = None
    while True:
        body = await client.execute(USERS, {"first": 2, "after": after}, token=admin.access_token)
        page = body["data"]["users"]
        seen += [edge["node"]["email"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["ada@example.com"] + [f"user{i}@example.com" for i in range(4)]


async def test_users_refuses_more_than_100_per_page(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    body = await client.execute(USERS, {"first": 101}, token=admin.access_token)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 1 and 100" in error["message"]


async def test_users_refuses_a_cursor_it_did_not_issue(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    body = await client.execute(USERS, {"after": "bm90IGEgY3Vyc29y"}, token=admin.access_token)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_user_asking_for_admin_fields_is_forbidden(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    user = await client.create_user(admin, "bob@example.com")
    for query in (USERS, f'{{ user(id: "{admin.id}") {{ id }} }}'):
        body = await client.execute(query, token=user.access_token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query


async def test_an_id_from_another_organisation_answers_like_a_missing_id(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    stranger = await client.sign_up("grace@example.com", "Globex")
    query = "query($id: ID!) { user(id: $id) { id } }"
    foreign = await client.execute(query, {"id": stranger.id}, token=admin.access_token)
    missing = await client.execute(
        query, {"id": "7b2a1c04-0000-4000-8000-000000000000"}, token=admin.access_token
    )
    garbage = await client.execute(query, {"id": "not-a-uuid"}, token=admin.access_token)
    assert foreign == missing == garbage == {"data": {"user": None}}
    own = await client.execute(query, {"id": admin.id}, token=admin.access_token)
    assert own == {"data": {"user": {"id": admin.id}}}


async def test_other_users_emails_are_for_admins_only(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    user = await client.create_user(admin, "bob@example.com")
    mine = await client.execute("{ me { email } }", token=user.access_token)
    assert mine["data"]["me"]["email"] == "bob@example.com"
    listed = await client.execute(USERS, token=admin.access_token)
    assert {e["node"]["email"] for e in listed["data"]["users"]["edges"]} == {
        "ada@example.com",
        "bob@example.com",
    }


async def test_listing_users_with_their_organisation_costs_a_constant_number_of_queries(
    client: GraphQLClient, services: Services
) -> None:
    connection_class = type(services.database.client())
    admin = await client.sign_up()
    for i in range(12):
        await client.create_user(admin, f"user{i}@example.com")
    query = "{ users(first: 100) { edges { node { id organization { name } } } } }"
    counted: list[str] = []
    original = connection_class.execute_query

    async def counting(self, sql, values=None):  # type: ignore[no-untyped-def]
        counted.append(sql)
        return await original(self, sql, values)

    connection_class.execute_query = counting  # type: ignore[method-assign]
    try:
        body = await client.execute(query, token=admin.access_token)
    finally:
        connection_class.execute_query = original  # type: ignore[method-assign]
    assert len(body["data"]["users"]["edges"]) == 13
    # authenticate (1) + the page (1) + every organisation through one loader batch (1)
    assert len(counted) == 3, counted
