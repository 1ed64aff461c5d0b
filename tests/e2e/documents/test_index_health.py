"""indexHealth: SQL against the vector store, for the ADMINs of one organisation."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.documents.models import Document, DocumentStatus
from tests.support import documents as files
from tests.support.graphql import Account, GraphQLClient
from tests.support.platform import Platform

INDEX_HEALTH = """{ indexHealth { vectorStore embeddingModel dimensions configuredModel
  reembedding { model dimensions vectorCount } chunkCount vectorCount stuckDocuments
  documentsByStatus { status count } } }"""


async def index_health(client: GraphQLClient, account: Account) -> dict[str, Any]:
    body = await client.execute(INDEX_HEALTH, token=account.access_token)
    assert not body.get("errors"), body
    health: dict[str, Any] = body["data"]["indexHealth"]
    return health


async def test_an_admin_sees_documents_by_status_and_chunks_equal_to_vectors(
    platform: Platform, tmp_path: Path
) -> None:
    client = platform.client
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_docx(tmp_path))
    document = await client.wait_until_final(admin, uploaded["document"]["id"])
    other = await client.sign_up("grace@example.com", "Globex")  # counts of its own
    await client.upload(other, files.write_markdown(tmp_path))

    health = await index_health(client, admin)

    assert health["vectorStore"] == "lance"
    assert health["embeddingModel"] == "all-MiniLM-L6-v2"
    assert health["dimensions"] == 384
    assert health["configuredModel"] == "all-MiniLM-L6-v2"
    assert health["reembedding"] is None
    assert health["chunkCount"] == health["vectorCount"] == document["chunkCount"] > 0
    assert health["stuckDocuments"] == 0
    by_status = {row["status"]: row["count"] for row in health["documentsByStatus"]}
    assert by_status == {status.value: 0 for status in DocumentStatus} | {"READY": 1}


async def test_a_document_whose_lease_ran_out_counts_as_stuck(
    platform: Platform, tmp_path: Path
) -> None:
    client = platform.client
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_docx(tmp_path))
    await client.wait_until_final(admin, uploaded["document"]["id"])
    await Document.filter(id=uuid.UUID(uploaded["document"]["id"])).update(
        status=DocumentStatus.EMBEDDING, lease_expires_at=datetime.now(UTC) - timedelta(minutes=1)
    )

    health = await index_health(client, admin)

    assert health["stuckDocuments"] == 1


async def test_index_health_is_for_admins_only(platform: Platform) -> None:
    client = platform.client
    admin = await client.sign_up()
    user = await client.create_user(admin, "bob@example.com")
    body = await client.execute(INDEX_HEALTH, token=user.access_token)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
