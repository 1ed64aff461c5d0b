"""A conversation's length is capped, so `Conversation.messages` stays a bounded list."""

from typing import Any

import httpx

from api.app import create_app
from domain.assistant.models import Message
from domain.bootstrap import Adapters, Services
from domain.documents.parsing import DocumentParser
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.support.graphql import Account, GraphQLClient
from tests.support.platform import running_platform

MAX_MESSAGES = 4  # two questions and their answers
ASK = """mutation($input: AskInput!) { ask(input: $input) { __typename
  ... on Answer { conversation { id messages { role } } }
  ... on ValidationError { field }
  ... on Error { code message } } }"""
MESSAGES = "query($id: ID!) { conversation(id: $id) { messages { role text } } }"


async def ask(
    client: GraphQLClient, account: Account, conversation: str | None = None
) -> dict[str, Any]:
    variables = {"input": {"question": "Are receipts required?", "conversationId": conversation}}
    body = await client.execute(ASK, variables, token=account.access_token)
    assert not body.get("errors"), body
    return body["data"]["ask"]  # type: ignore[no-any-return]


async def test_a_full_conversation_refuses_more_questions_and_keeps_every_message(
    pipeline_settings: Settings, embedder: SentenceTransformerEmbedder, extractor: DocumentParser
) -> None:
    settings = pipeline_settings.model_copy(update={"max_messages_per_conversation": MAX_MESSAGES})
    async with running_platform(
        settings, Adapters(embedder=embedder, extractor=extractor)
    ) as platform:
        client = platform.client
        admin = await client.sign_up()
        first = await ask(client, admin)
        conversation = first["conversation"]["id"]
        second = await ask(client, admin, conversation)
        assert len(second["conversation"]["messages"]) == MAX_MESSAGES
        refused = await ask(client, admin, conversation)
        assert refused["__typename"] == "ValidationError", refused
        assert (refused["field"], refused["code"]) == ("conversationId", "CONVERSATION_FULL")
        assert "new conversation" in refused["message"]
        body = await client.execute(MESSAGES, {"id": conversation}, token=admin.access_token)
        messages = body["data"]["conversation"]["messages"]
        assert [m["role"] for m in messages] == ["USER", "ASSISTANT"] * 2
        # A new conversation is the way on.
        assert (await ask(client, admin))["__typename"] == "Answer"


async def test_the_query_cost_counts_messages_at_the_conversation_cap(
    client: GraphQLClient, settings: Settings, services: Services
) -> None:
    account = await client.sign_up()
    query = '{ conversation(id: "x") { messages { citations { document { id } } } } }'
    codes = {}
    for cap in (100, 1000):  # 1 + cap + 2 x 20 citations per message: 4101, then 41001
        app = create_app(
            settings.model_copy(update={"max_messages_per_conversation": cap}), services
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://beacon.test"
        ) as http:
            response = await http.post(
                "/graphql",
                json={"query": query},
                headers={"authorization": f"Bearer {account.access_token}"},
            )
        body = response.json()
        codes[cap] = body["errors"][0]["extensions"]["code"] if body.get("errors") else None
    assert codes == {100: None, 1000: "QUERY_TOO_COSTLY"}


async def test_a_conversation_overfilled_by_racing_questions_still_lists_at_most_the_cap(
    pipeline_settings: Settings, embedder: SentenceTransformerEmbedder, extractor: DocumentParser
) -> None:
    settings = pipeline_settings.model_copy(update={"max_messages_per_conversation": MAX_MESSAGES})
    async with running_platform(
        settings, Adapters(embedder=embedder, extractor=extractor)
    ) as platform:
        client = platform.client
        admin = await client.sign_up()
        conversation = (await ask(client, admin))["conversation"]["id"]
        # Two questions that both passed the check before either was stored (the race the
        # check alone cannot close) leave more rows than the cap.
        stored = await Message.filter(conversation_id=conversation)
        for _ in range(2):
            await Message.bulk_create(
                Message(
                    conversation_id=row.conversation_id,
                    organization_id=row.organization_id,
                    user_id=row.user_id,
                    role=row.role,
                    text=row.text,
                )
                for row in stored
            )
        assert await Message.filter(conversation_id=conversation).count() == 3 * len(stored)
        body = await client.execute(MESSAGES, {"id": conversation}, token=admin.access_token)
        assert len(body["data"]["conversation"]["messages"]) == MAX_MESSAGES
