"""Hostile and broken uploads: refused at upload or FAILED with a reason; the worker carries on."""

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.bootstrap import Adapters
from domain.documents.models import Chunk, Document
from domain.documents.parsing import DocumentParser
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.support import documents as files
from tests.support.graphql import Account
from tests.support.platform import Platform, running_platform

UPLOAD_ONE = (
    '{"query": "mutation($f: Upload!) { uploadDocument(input: {file: $f}) { __typename } }",'
    ' "variables": {"f": null}}'
)


async def refused(platform: Platform, admin: Account, path: Path, code: str) -> None:
    result = await platform.client.upload(admin, path)
    assert result["__typename"] == "FileRejected", result
    assert result["code"] == code, result


async def failed(platform: Platform, admin: Account, path: Path, code: str) -> dict:  # type: ignore[type-arg]
    result = await platform.client.upload(admin, path)
    assert result["__typename"] == "UploadDocumentSuccess", result
    document = await platform.client.wait_until_final(admin, result["document"]["id"])
    assert document["status"] == "FAILED", document
    assert document["failure"]["code"] == code, document
    assert document["failure"]["message"]
    return document  # type: ignore[no-any-return]


async def still_serving(platform: Platform, admin: Account, tmp_path: Path) -> None:
    good = await platform.client.upload(admin, files.write_text(tmp_path))
    document = await platform.client.wait_until_final(admin, good["document"]["id"])
    assert document["status"] == "READY"


async def test_an_empty_file_is_refused(platform: Platform, tmp_path: Path) -> None:
    admin = await platform.client.sign_up()
    await refused(platform, admin, files.write_empty(tmp_path), "EMPTY_FILE")


async def test_html_or_an_executable_renamed_pdf_is_refused(
    platform: Platform, tmp_path: Path
) -> None:
    admin = await platform.client.sign_up()
    await refused(platform, admin, files.write_html_named_pdf(tmp_path), "UNSUPPORTED_TYPE")
    await refused(platform, admin, files.write_exe_named_pdf(tmp_path), "UNSUPPORTED_TYPE")
    assert await Document.all().count() == 0


async def test_a_docx_zip_bomb_is_refused_before_parsing(
    platform: Platform, tmp_path: Path
) -> None:
    admin = await platform.client.sign_up()
    await refused(platform, admin, files.write_docx_zip_bomb(tmp_path), "CORRUPT_FILE")


async def test_a_truncated_pdf_fails_with_a_reason(platform: Platform, tmp_path: Path) -> None:
    admin = await platform.client.sign_up()
    document = await failed(platform, admin, files.write_truncated_pdf(tmp_path), "CORRUPT_FILE")
    assert (document["failureCode"], document["failure"]["retryable"]) == ("CORRUPT_FILE", False)
    await still_serving(platform, admin, tmp_path)


async def test_uploading_a_file_that_failed_for_its_own_fault_again_is_the_failed_duplicate(
    platform: Platform, tmp_path: Path
) -> None:
    admin = await platform.client.sign_up()
    path = files.write_encrypted_pdf(tmp_path)
    first = await failed(platform, admin, path, "ENCRYPTED_FILE")
    again = await platform.client.upload(admin, path)
    assert (again["duplicate"], again["retried"]) == (True, False)
    assert again["document"]["id"] == first["id"]
    assert (again["document"]["status"], again["document"]["version"]) == ("FAILED", 1)


async def test_an_encrypted_pdf_fails_with_a_reason(platform: Platform, tmp_path: Path) -> None:
    admin = await platform.client.sign_up()
    await failed(platform, admin, files.write_encrypted_pdf(tmp_path), "ENCRYPTED_FILE")
    await still_serving(platform, admin, tmp_path)


async def test_a_pdf_over_the_page_limit_fails(platform: Platform, tmp_path: Path) -> None:
    admin = await platform.client.sign_up()
    document = await failed(platform, admin, files.write_pdf_with_pages(tmp_path, 25), "TOO_LARGE")
    assert "20" in document["failure"]["message"]
    await still_serving(platform, admin, tmp_path)


async def test_a_document_that_outgrows_the_parsers_memory_fails_and_the_worker_goes_on(
    pipeline_settings: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    parser = DocumentParser(memory_mb=256, worker_setup=files.hoarding_text_parser)
    try:
        async with running_platform(
            pipeline_settings, Adapters(embedder=embedder, extractor=parser)
        ) as platform:
            admin = await platform.client.sign_up()
            document = await failed(platform, admin, files.write_memory_bomb(tmp_path), "TOO_LARGE")
            assert "256 MB of memory" in document["failure"]["message"]
            await still_serving(platform, admin, tmp_path)
    finally:
        await parser.close()


async def test_hostile_file_names_never_reach_the_disk(platform: Platform, tmp_path: Path) -> None:
    admin = await platform.client.sign_up()
    # httpx escapes a NUL in a multipart file name as %00; either way none is stored.
    hostile = {"../../etc/passwd.txt": "passwd.txt", "a\x00b.txt": "a%00b.txt"}
    hostile |= {"..\\..\\x.txt": "x.txt", "a.txt.php": "a.txt.php"}
    ids = []
    for number, (name, cleaned) in enumerate(hostile.items()):
        source = tmp_path / f"source-{number}.txt"
        source.write_text(f"Plain text number {number} about the archive.")
        result = await platform.client.upload(admin, source, filename=name)
        assert result["__typename"] == "UploadDocumentSuccess", (name, result)
        assert result["document"]["filename"] == cleaned
        ids.append(uuid.UUID(result["document"]["id"]))
    stored = await platform.services.files.keys()
    assert stored == {document_id.hex for document_id in ids}
    # Nothing landed under a client-chosen name, anywhere near the data directory.
    around = tmp_path.parent.parent
    landed = {p.name for p in around.rglob("*") if p.is_file()}
    assert landed.isdisjoint({"passwd.txt", "ab.txt", "x.txt", "a.txt.php", "b.txt"})


async def test_an_upload_over_the_size_cap_is_refused_while_streaming(
    platform: Platform, tmp_path: Path
) -> None:
    admin = await platform.client.sign_up()
    big = tmp_path / "big.txt"
    big.write_text("lorem ipsum dolor sit amet " * 120_000)  # ~3.2 MB > 2 MiB cap
    response = await platform.client.http.post(
        "/graphql",
        files={
            "operations": (
                None,
                UPLOAD_ONE,
            ),
            "map": (None, '{"0": ["variables.f"]}'),
            "0": ("big.txt", big.read_bytes(), "text/plain"),
        },
        headers={"authorization": f"Bearer {admin.access_token}", "apollo-require-preflight": "1"},
    )
    assert response.status_code == 413
    assert await Document.all().count() == 0


async def test_an_upload_over_the_cap_without_content_length_is_refused(
    platform: Platform, tmp_path: Path
) -> None:
    admin = await platform.client.sign_up()
    boundary = "beaconboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        '{"query": "mutation($f: Upload!) { uploadDocument(input: {file: $f}) { __typename } }",'
        ' "variables": {"f": null}}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
        '{"0": ["variables.f"]}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()

    async def body() -> AsyncIterator[bytes]:
        yield head
        for _ in range(50):
            yield b"lorem ipsum " * 5000  # 60 KB each, 3 MB in all
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await platform.client.http.post(
        "/graphql",
        content=body(),
        headers={
            "content-type": f"multipart/form-data; boundary={boundary}",
            "authorization": f"Bearer {admin.access_token}",
            "apollo-require-preflight": "1",
        },
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert await Document.all().count() == 0


@pytest.mark.parametrize("file", ['"report.pdf"', '{"name": "report.pdf"}', "[1]"])
async def test_a_file_sent_as_json_instead_of_a_multipart_part_is_a_validation_error(
    platform: Platform, file: str
) -> None:
    admin = await platform.client.sign_up()
    body = await platform.client.execute(
        "mutation($f: Upload!) { uploadDocument(input: {file: $f}) { __typename "
        "... on ValidationError { field message } } }",
        {"f": json.loads(file)},
        token=admin.access_token,
    )
    assert body["data"]["uploadDocument"]["__typename"] == "ValidationError", body
    assert body["data"]["uploadDocument"]["field"] == "file"
    assert "multipart" in body["data"]["uploadDocument"]["message"]
    assert await Document.all().count() == 0


@pytest.mark.parametrize("kind", ["ORGANIZATION", "PRIVATE"])
async def test_files_are_stored_under_generated_names(
    platform: Platform, tmp_path: Path, kind: str
) -> None:
    admin = await platform.client.sign_up()
    result = await platform.client.upload(admin, files.write_text(tmp_path), visibility=kind)
    document_id = uuid.UUID(result["document"]["id"])
    async with platform.services.files.local_copy(document_id.hex) as stored:
        assert stored.read_bytes() == files.write_text(tmp_path).read_bytes()


async def test_a_document_over_the_passage_limit_fails_and_stores_no_passage(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    settings = pipeline_settings.model_copy(update={"max_chunks": 5})
    async with running_platform(
        settings, Adapters(embedder=embedder, extractor=extractor)
    ) as platform:
        admin = await platform.client.sign_up()
        path = files.write_long_docx(tmp_path, paragraphs=300)
        document = await failed(platform, admin, path, "TOO_LARGE")
        assert "the limit is 5" in document["failure"]["message"]
        assert not await Chunk.exists(document_id=uuid.UUID(document["id"]))
        await still_serving(platform, admin, tmp_path)
