"""The documents list: newest first by default, other orders, title search, paging in each."""

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.documents.models import Document, DocumentStatus
from domain.visibility import Visibility
from tests.support.graphql import Account, GraphQLClient

DOCUMENTS = """
query($first: Int, $after: String, $orderBy: DocumentOrder, $titleContains: String) {
  documents(first: $first, after: $after, orderBy: $orderBy, titleContains: $titleContains) {
    edges { cursor node { id title } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""
ORDERINGS = [
    (field, direction)
    for field in ("CREATED_AT", "TITLE", "STATUS")
    for direction in ("ASC", "DESC")
]
LIFECYCLE = list(DocumentStatus)
TITLES = ["Staff handbook", "handbook 2026", "50% off", "5000 off", "file_a", "fileXa"]
TITLES += ["back\\slash", "backXslash"]
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    """What a test needs to know of a document it created."""

    id: str
    title: str
    status: DocumentStatus
    created_at: datetime


async def create(
    owner: Account,
    title: str,
    *,
    minutes: int = 0,
    status: DocumentStatus = DocumentStatus.READY,
    visibility: Visibility = Visibility.ORGANIZATION,
) -> Row:
    """A document row as ingestion would leave it, created `minutes` after a fixed moment."""
    document = await Document.create(
        organization_id=uuid.UUID(owner.organization_id),
        uploaded_by_id=uuid.UUID(owner.id),
        title=title,
        filename=f"{title}.txt",
        kind="text",
        size_bytes=1,
        sha256=uuid.uuid4().hex * 2,
        dedupe_scope="organization",
        visibility=visibility,
        status=status,
    )
    # auto_now_add stamps the present: set the moment afterwards, so ties can be made.
    created_at = EPOCH + timedelta(minutes=minutes)
    await Document.filter(id=document.id).update(created_at=created_at)
    return Row(str(document.id), title, status, created_at)


async def mixed(owner: Account) -> list[Row]:
    """Documents with ties on every order field: same moments, titles differing in case only."""
    titles = ["beta", "Alpha", "alpha", "gamma", "Beta", "delta", "alpha", "epsilon", "GAMMA"]
    return [
        await create(owner, title, minutes=i // 3, status=LIFECYCLE[(i * 5) % len(LIFECYCLE)])
        for i, title in enumerate(titles)
    ]


def expected(rows: list[Row], field: str, direction: str) -> list[str]:
    """The order the API promises: the field (title ignoring case, status by lifecycle), then id."""
    keys: dict[str, Any] = {
        "CREATED_AT": lambda row: row.created_at,
        "TITLE": lambda row: row.title.lower(),
        "STATUS": lambda row: LIFECYCLE.index(row.status),
    }
    ordered = sorted(rows, key=lambda row: (keys[field](row), uuid.UUID(row.id)))
    return [row.id for row in (reversed(ordered) if direction == "DESC" else ordered)]


async def page_through(
    client: GraphQLClient, account: Account, first: int, **variables: Any
) -> list[str]:
    """Every id of the list, following endCursor page after page."""
    seen: list[str] = []
    after = None
    while True:
        body = await client.execute(
            DOCUMENTS, {"first": first, "after": after, **variables}, token=account.access_token
        )
        assert "errors" not in body, body
        page = body["data"]["documents"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert len(page["edges"]) <= first
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def test_the_list_is_newest_first_by_default(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    rows = [await create(admin, f"doc{i}", minutes=i) for i in range(4)]

    body = await client.execute(DOCUMENTS, token=admin.access_token)

    ids = [edge["node"]["id"] for edge in body["data"]["documents"]["edges"]]
    assert ids == [row.id for row in reversed(rows)]


@pytest.mark.parametrize(("field", "direction"), ORDERINGS)
async def test_paging_through_each_order_returns_every_document_once_in_order(
    client: GraphQLClient, field: str, direction: str
) -> None:
    admin = await client.sign_up()
    rows = await mixed(admin)
    order = {"field": field, "direction": direction}

    for first in (1, 2, 4, 100):
        seen = await page_through(client, admin, first, orderBy=order)
        assert seen == expected(rows, field, direction), first


async def test_the_order_defaults_its_field_and_direction_separately(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    rows = await mixed(admin)

    assert await page_through(client, admin, 3, orderBy={}) == expected(rows, "CREATED_AT", "DESC")
    assert await page_through(client, admin, 3, orderBy={"direction": "ASC"}) == expected(
        rows, "CREATED_AT", "ASC"
    )
    assert await page_through(client, admin, 3, orderBy={"field": "TITLE"}) == expected(
        rows, "TITLE", "DESC"
    )


async def test_status_order_follows_the_lifecycle_not_the_alphabet(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    for status in sorted(DocumentStatus):
        await create(admin, status.lower(), status=status)

    body = await client.execute(
        DOCUMENTS, {"orderBy": {"field": "STATUS", "direction": "ASC"}}, token=admin.access_token
    )

    titles = [edge["node"]["title"] for edge in body["data"]["documents"]["edges"]]
    assert titles == ["queued", "parsing", "chunking", "embedding", "indexing", "ready", "failed"]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("HANDBOOK", ["Staff handbook", "handbook 2026"]),
        ("%", ["50% off"]),
        ("0%", ["50% off"]),
        ("_", ["file_a"]),
        ("e_a", ["file_a"]),
        ("\\", ["back\\slash"]),
        ("", TITLES),
    ],
)
async def test_title_contains_ignores_case_and_matches_wildcards_literally(
    client: GraphQLClient, search: str, found: list[str]
) -> None:
    admin = await client.sign_up()
    for i, title in enumerate(TITLES):
        await create(admin, title, minutes=-i)

    body = await client.execute(DOCUMENTS, {"titleContains": search}, token=admin.access_token)

    assert [edge["node"]["title"] for edge in body["data"]["documents"]["edges"]] == found


async def test_title_contains_pages_within_the_matches(client: GraphQLClient) -> None:
    admin = await client.sign_up()
    rows = [await create(admin, f"Report {i}", minutes=i) for i in range(5)]
    await create(admin, "Invoice", minutes=10)

    seen = await page_through(client, admin, 2, titleContains="report")

    assert seen == [row.id for row in reversed(rows)]


async def test_a_title_search_longer_than_any_title_is_refused(client: GraphQLClient) -> None:
    admin = await client.sign_up()

    body = await client.execute(DOCUMENTS, {"titleContains": "x" * 301}, token=admin.access_token)

    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "titleContains"
    assert "at most 300 characters" in error["message"]


@pytest.mark.parametrize(
    ("issued", "used"),
    [
        ({"field": "TITLE", "direction": "ASC"}, None),
        ({"field": "TITLE", "direction": "ASC"}, {"field": "TITLE", "direction": "DESC"}),
        (None, {"field": "STATUS", "direction": "DESC"}),
    ],
)
async def test_a_cursor_from_another_order_is_refused(
    client: GraphQLClient, issued: dict[str, str] | None, used: dict[str, str] | None
) -> None:
    admin = await client.sign_up()
    await mixed(admin)
    first = await client.execute(
        DOCUMENTS, {"first": 2, "orderBy": issued}, token=admin.access_token
    )
    cursor = first["data"]["documents"]["pageInfo"]["endCursor"]

    body = await client.execute(
        DOCUMENTS, {"first": 2, "after": cursor, "orderBy": used}, token=admin.access_token
    )

    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "after"
    assert "belongs to a list in another order" in error["message"]


@pytest.mark.parametrize(
    ("order", "key"),
    [
        (None, "yesterday"),
        (None, 3),
        ({"field": "TITLE", "direction": "ASC"}, {"datetime": EPOCH.isoformat()}),
        ({"field": "STATUS", "direction": "ASC"}, "READY"),
        ({"field": "STATUS", "direction": "ASC"}, 2**40),
    ],
)
async def test_a_made_up_cursor_is_refused_before_the_database_sees_it(
    client: GraphQLClient, order: dict[str, str] | None, key: object
) -> None:
    admin = await client.sign_up()
    await mixed(admin)
    name = {None: "created_at desc", "TITLE": "title_key asc", "STATUS": "status_rank asc"}
    raw = {"order": name[order and order["field"]], "key": key, "id": str(uuid.uuid4())}
    cursor = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()

    body = await client.execute(
        DOCUMENTS, {"after": cursor, "orderBy": order}, token=admin.access_token
    )

    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "after"


@pytest.mark.parametrize(("field", "direction"), ORDERINGS)
async def test_no_order_shows_a_user_anothers_private_documents(
    client: GraphQLClient, field: str, direction: str
) -> None:
    admin = await client.sign_up()
    alice = await client.create_user(admin, "alice@example.com")
    bob = await client.create_user(admin, "bob@example.com")
    stranger = await client.sign_up("eve@example.com", "Globex")
    rows = await mixed(admin)
    mine = await create(
        bob, "bob's own", status=DocumentStatus.FAILED, visibility=Visibility.PRIVATE
    )
    hidden = [
        await create(alice, title, minutes=i // 2, visibility=Visibility.PRIVATE)
        for i, title in enumerate(["alpha", "Beta", "gamma", "zeta"])
    ]
    await create(stranger, "alpha", status=DocumentStatus.QUEUED)
    order = {"field": field, "direction": direction}

    for account, visible in ((bob, [*rows, mine]), (admin, [*rows, mine, *hidden])):
        seen = await page_through(client, account, 2, orderBy=order)
        assert seen == expected(visible, field, direction), account.email
