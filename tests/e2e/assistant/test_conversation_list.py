"""The conversations list: the caller's own, newest first, page after page."""

import uuid
from datetime import UTC, datetime, timedelta

from domain.assistant.models import Conversation
from tests.support.graphql import Account, GraphQLClient

CONVERSATIONS = """
query($first: Int, $after: String) {
  conversations(first: $first, after: $after) {
    edges { node { id } }
    pageInfo { hasNextPage endCursor }
  }
}"""
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


async def start(account: Account, minutes: int) -> str:
    """A conversation started `minutes` after a fixed moment."""
    conversation = await Conversation.create(
        organization_id=uuid.UUID(account.organization_id),
        user_id=uuid.UUID(account.id),
        title=f"question {minutes}",
    )
    await Conversation.filter(id=conversation.id).update(
        created_at=EPOCH + timedelta(minutes=minutes)
    )
    return str(conversation.id)


async def test_conversations_are_listed_newest_first_across_pages(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    other = await client.create_user(admin, "bob@example.com")
    # Two started in the same instant: the id keeps them in one order on every page.
    started = [await start(admin, minutes) for minutes in (0, 1, 1, 2, 3)]
    await start(other, 4)
    tied = sorted(started[1:3], key=uuid.UUID, reverse=True)
    newest_first = [started[4], started[3], *tied, started[0]]

    seen: list[str] = []
    after = None
    while True:
        body = await client.execute(
            CONVERSATIONS, {"first": 2, "after": after}, token=admin.access_token
        )
        page = body["data"]["conversations"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == newest_first
