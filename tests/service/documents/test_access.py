"""Who sees, deletes and reindexes documents."""

import uuid
from pathlib import Path

import pytest

from domain.bootstrap import Services
from domain.documents.models import Chunk, Document
from tests.support import documents as files
from tests.support.fake_services import Fakes
from tests.support.graphql import DOCUMENT, Account, GraphQLClient

DOCUMENTS = "{ documents(first: 100) { edges { node { id } } } }"
DELETE = """mutation($id: ID!) { deleteDocument(id: $id) {
  __typename ... on DeleteDocumentSuccess { id } ... on Error { code } } }"""
REINDEX = """mutation($id: ID!) { reindexDocument(id: $id) { __typename
  ... on ReindexDocumentSuccess { document { version status } } ... on Error { code } } }"""


@pytest.fixture(autouse=True)
def working(services: Services, fakes: Fakes) -> None:
    """Queued documents are ingested, and deleted ones purged, as a worker would."""
    fakes.jobs.attach(services.ingestion)


async def visible_ids(client: GraphQLClient, account: Account) -> set[str]:
    body = await client.execute(DOCUMENTS, token=account.access_token)
    return {edge["node"]["id"] for edge in body["data"]["documents"]["edges"]}


async def document(client: GraphQLClient, account: Account, document_id: str) -> object:
    body = await client.execute(DOCUMENT, {"id": document_id}, token=account.access_token)
    return body["data"]["document"]


async def test_private_documents_are_for_their_uploader_and_admins(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    alice = await client.create_user(admin, "alice@example.com")
    bob = await client.create_user(admin, "bob@example.com")
    private = await client.upload(alice, files.write_text(tmp_path), visibility="PRIVATE")
    shared = await client.upload(alice, files.write_markdown(tmp_path))
    private_id, shared_id = private["document"]["id"], shared["document"]["id"]
    assert await visible_ids(client, alice) == {private_id, shared_id}
    assert await visible_ids(client, admin) == {private_id, shared_id}
    assert await visible_ids(client, bob) == {shared_id}
    assert await document(client, bob, private_id) is None


async def test_another_organisations_document_looks_missing(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    stranger = await client.sign_up("mallory@example.com", "Globex")
    uploaded = await client.upload(admin, files.write_text(tmp_path))
    document_id = uploaded["document"]["id"]
    assert await document(client, stranger, document_id) is None
    assert await document(client, stranger, str(uuid.uuid4())) is None
    assert await visible_ids(client, stranger) == set()
    for mutation in (DELETE, REINDEX):
        foreign = await client.execute(mutation, {"id": document_id}, token=stranger.access_token)
        missing = await client.execute(
            mutation, {"id": str(uuid.uuid4())}, token=stranger.access_token
        )
        assert foreign == missing


async def test_deleting_removes_file_rows_and_vectors(
    client: GraphQLClient, services: Services, fakes: Fakes, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_markdown(tmp_path))
    document_id = uploaded["document"]["id"]
    await fakes.jobs.settled()
    assert (await client.wait_until_final(admin, document_id))["status"] == "READY"
    org = uuid.UUID(admin.organization_id)
    doc_uuid = uuid.UUID(document_id)
    assert await services.vectors.count(org, doc_uuid) > 0
    body = await client.execute(DELETE, {"id": document_id}, token=admin.access_token)
    assert body["data"]["deleteDocument"] == {
        "__typename": "DeleteDocumentSuccess",
        "id": document_id,
    }
    assert not await Document.exists(id=doc_uuid)
    assert not await Chunk.exists(document_id=doc_uuid)
    await fakes.jobs.settled()  # the purge runs as a job
    assert doc_uuid.hex not in await services.files.keys()
    assert await services.vectors.count(org, doc_uuid) == 0
    again = await client.execute(DELETE, {"id": document_id}, token=admin.access_token)
    assert again["data"]["deleteDocument"] == {"__typename": "NotFoundError", "code": "NOT_FOUND"}


async def test_only_the_uploader_or_an_admin_may_delete(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    alice = await client.create_user(admin, "alice@example.com")
    bob = await client.create_user(admin, "bob@example.com")
    uploaded = await client.upload(alice, files.write_text(tmp_path))
    body = await client.execute(DELETE, {"id": uploaded["document"]["id"]}, token=bob.access_token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await client.execute(
        DELETE, {"id": uploaded["document"]["id"]}, token=admin.access_token
    )
    assert body["data"]["deleteDocument"]["__typename"] == "DeleteDocumentSuccess"


async def test_reindexing_makes_a_new_version_and_drops_the_old_vectors(
    client: GraphQLClient, services: Services, fakes: Fakes, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_markdown(tmp_path))
    document_id = uploaded["document"]["id"]
    await fakes.jobs.settled()
    first = await client.wait_until_final(admin, document_id)
    body = await client.execute(REINDEX, {"id": document_id}, token=admin.access_token)
    assert body["data"]["reindexDocument"]["document"]["version"] == 2
    await fakes.jobs.settled()
    second = await client.wait_until_final(admin, document_id)
    assert second["status"] == "READY" and second["version"] == 2
    assert second["chunkCount"] == first["chunkCount"]
    stored = await services.vectors.document_ids(uuid.UUID(admin.organization_id))
    assert stored[uuid.UUID(document_id)] == {2}
    versions = (
        await Chunk.filter(document_id=uuid.UUID(document_id))
        .distinct()
        .values_list("version", flat=True)
    )
    assert set(versions) == {2}


async def test_a_user_cannot_reindex(client: GraphQLClient, tmp_path: Path) -> None:
    admin = await client.sign_up()
    user = await client.create_user(admin, "bob@example.com")
    uploaded = await client.upload(user, files.write_text(tmp_path))
    body = await client.execute(
        REINDEX, {"id": uploaded["document"]["id"]}, token=user.access_token
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_listing_100_documents_with_their_uploaders_costs_a_constant_number_of_queries(
    client: GraphQLClient, services: Services
) -> None:
    admin = await client.sign_up()
    others = [await client.create_user(admin, f"user{i}@example.com") for i in range(5)]
    uploaders = [admin, *others]
    await Document.bulk_create(
        [
            Document(
                id=uuid.uuid4(),
                organization_id=uuid.UUID(admin.organization_id),
                uploaded_by_id=uuid.UUID(uploaders[i % len(uploaders)].id),
                title=f"doc {i}",
                filename=f"doc{i}.txt",
                kind="text",
                size_bytes=1,
                sha256=f"{i:064x}",
                dedupe_scope="organization",
            )
            for i in range(100)
        ]
    )
    connection_class = type(services.database.client())
    counted: list[str] = []
    original = connection_class.execute_query

    async def counting(self, sql, values=None):  # type: ignore[no-untyped-def]
        counted.append(sql)
        return await original(self, sql, values)

    query = "{ documents(first: 100) { edges { node { id uploadedBy { id email } } } } }"
    connection_class.execute_query = counting  # type: ignore[method-assign]
    try:
        body = await client.execute(query, token=admin.access_token)
    finally:
        connection_class.execute_query = original  # type: ignore[method-assign]
    assert len(body["data"]["documents"]["edges"]) == 100
    # authenticate (1) + the page (1) + every uploader through one loader batch (1)
    assert len(counted) == 3, counted


async def test_a_user_sees_who_uploaded_a_document_but_not_their_email(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    theirs = (await client.upload(admin, files.write_text(tmp_path)))["document"]["id"]
    mine = (await client.upload(bob, files.write_markdown(tmp_path)))["document"]["id"]
    query = "query($id: ID!) { document(id: $id) { uploadedBy { id email } } }"
    refused = await client.execute(query, {"id": theirs}, token=bob.access_token)
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert refused["errors"][0]["path"] == ["document", "uploadedBy", "email"]
    assert admin.email not in str(refused)
    # Who uploaded it is no secret; their own address is the user's to read, and an ADMIN's.
    named = await client.execute(
        "query($id: ID!) { document(id: $id) { uploadedBy { id } } }",
        {"id": theirs},
        token=bob.access_token,
    )
    assert named == {"data": {"document": {"uploadedBy": {"id": admin.id}}}}
    own = await client.execute(query, {"id": mine}, token=bob.access_token)
    assert own["data"]["document"]["uploadedBy"]["email"] == bob.email
    as_admin = await client.execute(query, {"id": mine}, token=admin.access_token)
    assert as_admin["data"]["document"]["uploadedBy"]["email"] == bob.email
