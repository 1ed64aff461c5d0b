"""uploadDocuments: several files in one request, a result for each, nothing lost on the way."""

import uuid

import pytest

from domain.audit import log as audit
from domain.audit.models import AuditEvent
from domain.documents.models import Document, DocumentStatus
from tests.support.graphql import UPLOAD_MANY
from tests.support.platform import Platform

NOTE = b"# Travel\n\nTrain tickets are refunded within thirty days of the trip.\n"
OTHER = b"Parking at the office is free for visitors who sign in at reception.\n"
EXECUTABLE = b"MZ\x90\x00" + bytes(60)


async def test_several_files_in_one_request_get_a_result_each_in_their_order(
    platform: Platform,
) -> None:
    client = platform.client
    admin = await client.sign_up()

    uploaded = await client.upload_many(
        admin,
        [("travel.md", NOTE), ("copy.md", NOTE), ("tool.exe", EXECUTABLE), ("parking.txt", OTHER)],
    )

    assert uploaded["__typename"] == "UploadDocumentsSuccess"
    travel, copy, tool, parking = uploaded["results"]
    assert [r["__typename"] for r in uploaded["results"]] == [
        "UploadDocumentSuccess",
        "UploadDocumentSuccess",
        "FileRejected",
        "UploadDocumentSuccess",
    ]
    assert (travel["duplicate"], copy["duplicate"]) == (False, True)
    assert copy["document"]["id"] == travel["document"]["id"]
    assert tool["code"] == "UNSUPPORTED_TYPE"
    assert travel["document"]["title"] == "travel"
    for result in (travel, parking):
        document = await client.wait_until_final(admin, result["document"]["id"])
        assert document["status"] == "READY", document
    # One audit event per new document, appended together, and the chain still holds.
    organization = uuid.UUID(admin.organization_id)
    events = await AuditEvent.filter(
        organization_id=organization, action=audit.DOCUMENT_UPLOADED
    ).order_by("sequence")
    assert [e.target_id for e in events] == [
        travel["document"]["id"],
        parking["document"]["id"],
    ]
    assert await audit.verify(organization) is None


async def test_no_files_or_more_than_the_limit_are_refused_and_nothing_is_kept(
    platform: Platform,
) -> None:
    client = platform.client
    admin = await client.sign_up()
    limit = platform.services.settings.max_upload_files

    body = await client.execute(UPLOAD_MANY, {"input": {"files": []}}, token=admin.access_token)
    none = body["data"]["uploadDocuments"]
    too_many = await client.upload_many(
        admin, [(f"note-{n}.md", b"note %d\n" % n) for n in range(limit + 1)]
    )

    for refused in (none, too_many):
        assert refused["__typename"] == "ValidationError"
        assert refused["field"] == "files"
        assert f"from 1 to {limit} files" in refused["message"]
    assert await Document.all().count() == 0


async def test_a_value_that_is_not_a_file_part_is_refused_by_its_position(
    platform: Platform,
) -> None:
    client = platform.client
    admin = await client.sign_up()

    body = await client.execute(
        UPLOAD_MANY, {"input": {"files": ["not a file"]}}, token=admin.access_token
    )

    refused = body["data"]["uploadDocuments"]
    assert refused["__typename"] == "ValidationError"
    assert refused["field"] == "files.0"
    assert await Document.all().count() == 0


async def test_a_file_the_store_cannot_keep_is_refused_alone(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = platform.client
    admin = await client.sign_up()
    files = platform.services.documents._files
    keep = files.keep

    async def failing_for_the_second(staged: object) -> str:
        failing_for_the_second.calls += 1  # type: ignore[attr-defined]
        if failing_for_the_second.calls == 2:  # type: ignore[attr-defined]
            raise OSError("disk full")
        return await keep(staged)  # type: ignore[arg-type]

    failing_for_the_second.calls = 0  # type: ignore[attr-defined]
    monkeypatch.setattr(files, "keep", failing_for_the_second)

    uploaded = await client.upload_many(admin, [("travel.md", NOTE), ("parking.md", OTHER)])

    first, second = uploaded["results"]
    assert first["__typename"] == "UploadDocumentSuccess"
    assert (second["__typename"], second["code"]) == ("FileRejected", "TRANSIENT_FAILURE")
    assert "try the upload again" in second["message"]
    document = await client.wait_until_final(admin, first["document"]["id"])
    assert document["status"] == "READY"


async def test_files_kept_before_an_unexpected_failure_are_still_audited_and_ingested(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = platform.client
    admin = await client.sign_up()
    documents = platform.services.documents
    check_type = documents._check_type

    def broken_on_the_second(staged: object, name: str) -> object:
        if name == "parking.md":
            raise RuntimeError("a bug")
        return check_type(staged, name)  # type: ignore[arg-type]

    monkeypatch.setattr(documents, "_check_type", broken_on_the_second)

    response = await client.post_files(admin, [("travel.md", NOTE), ("parking.md", OTHER)])

    assert response.json()["errors"], "the request fails as a whole"
    [kept] = await Document.all()
    assert kept.filename == "travel.md"
    assert await AuditEvent.filter(action=audit.DOCUMENT_UPLOADED, target_id=str(kept.id)).exists()
    document = await client.wait_until_final(admin, str(kept.id))
    assert document["status"] == DocumentStatus.READY.name
