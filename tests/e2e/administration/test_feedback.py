"""feedback: the answers people rated, with the question, the reply and its citations."""

from typing import Any

from tests.support.graphql import Account, GraphQLClient

ASK = """mutation($q: String!) { ask(input: {question: $q}) { ... on Answer { reply { id } } } }"""
RATE = """mutation($input: RateAnswerInput!) { rateAnswer(input: $input) { __typename } }"""
FEEDBACK = """query($rating: Rating, $first: Int, $after: String) {
  feedback(rating: $rating, first: $first, after: $after) {
    nodes { rating comment question reply { id text citations { number } } user { email } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def rated(
    client: GraphQLClient, account: Account, question: str, rating: str, comment: str | None
) -> str:
    body = await client.execute(ASK, {"q": question}, token=account.access_token)
    reply_id: str = body["data"]["ask"]["reply"]["id"]
    rate = {"input": {"messageId": reply_id, "rating": rating, "comment": comment}}
    result = await client.execute(RATE, rate, token=account.access_token)
    assert result["data"]["rateAnswer"]["__typename"] == "RateAnswerSuccess", result
    return reply_id


async def review(client: GraphQLClient, account: Account, **variables: Any) -> dict[str, Any]:
    body = await client.execute(FEEDBACK, variables, token=account.access_token)
    assert not body.get("errors"), body
    page: dict[str, Any] = body["data"]["feedback"]
    return page


async def test_admins_review_ratings_newest_first_with_question_reply_and_rater(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    first = await rated(client, bob, "Are receipts needed?", "DOWN", "It missed the policy.")
    second = await rated(client, admin, "How many vacation days?", "UP", None)

    nodes = (await review(client, admin))["nodes"]

    assert [node["reply"]["id"] for node in nodes] == [second, first]
    assert nodes[1] == {
        "rating": "DOWN",
        "comment": "It missed the policy.",
        "question": "Are receipts needed?",
        "reply": nodes[1]["reply"],
        "user": {"email": "bob@example.com"},
    }
    assert nodes[0]["question"] == "How many vacation days?"
    down = (await review(client, admin, rating="DOWN"))["nodes"]
    assert [node["reply"]["id"] for node in down] == [first]
    page = await review(client, admin, first=1)
    assert page["pageInfo"]["hasNextPage"]
    rest = await review(client, admin, first=1, after=page["pageInfo"]["endCursor"])
    assert [node["reply"]["id"] for node in rest["nodes"]] == [first]


async def test_feedback_is_for_the_organisations_admins_only(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    await rated(client, bob, "Are receipts needed?", "UP", None)
    stranger = await client.sign_up("stranger@example.com", "Globex")

    refused = await client.execute(FEEDBACK, token=bob.access_token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await review(client, stranger))["nodes"] == []
