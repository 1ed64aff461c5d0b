"""`Document.downloadUrl`: a short-lived signed link to the original file, served safely."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from api.app import create_app
from domain.bootstrap import Adapters, Services
from domain.documents.downloads import Downloads
from domain.documents.filestores.base import StoredBytes
from domain.documents.filestores.local import LocalFileStore
from domain.documents.models import Document
from domain.settings import Settings
from tests.conftest import make_settings
from tests.support import documents as files
from tests.support.databases import empty_tables
from tests.support.graphql import Account, GraphQLClient
from workers.runtime import build_process

DOWNLOAD_URL = "query($id: ID!) { document(id: $id) { downloadUrl version } }"
REINDEX = """mutation($id: ID!) { reindexDocument(id: $id) {
  ... on ReindexDocumentSuccess { document { version downloadUrl } } } }"""
DELETE = "mutation($id: ID!) { deleteDocument(id: $id) { __typename } }"
SAFETY_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "sandbox",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
}


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """Services that queue ingestion jobs; no worker takes them (files are served as uploaded,
    whatever their status)."""
    _, built = build_process(settings)
    await built.start()
    await empty_tables(built.database)
    try:
        yield built
    finally:
        await built.close()


async def upload(client: GraphQLClient, account: Account, path: Path, **options: Any) -> str:
    uploaded = await client.upload(account, path, **options)
    return str(uploaded["document"]["id"])


async def download_url(client: GraphQLClient, account: Account, document_id: str) -> str:
    body = await client.execute(DOWNLOAD_URL, {"id": document_id}, token=account.access_token)
    return str(body["data"]["document"]["downloadUrl"])


def assert_safety_headers(response: httpx.Response) -> None:
    assert {name: response.headers.get(name) for name in SAFETY_HEADERS} == SAFETY_HEADERS


async def test_a_pdf_opens_inline_with_the_bytes_uploaded(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    pdf = files.write_multi_page_pdf(tmp_path)
    url = await download_url(client, admin, await upload(client, admin, pdf))

    response = await client.http.get(url)  # no bearer token: the signature is the authority

    assert url.startswith("/files/")
    assert response.status_code == 200
    assert response.content == pdf.read_bytes()
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-length"] == str(pdf.stat().st_size)
    assert response.headers["content-disposition"] == (
        "inline; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
    )
    assert_safety_headers(response)


async def test_anything_else_downloads_as_an_attachment(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    docx = files.write_docx(tmp_path)
    html = files.write_html(tmp_path)
    for path, content_type in (
        (docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (html, "text/html"),
    ):
        url = await download_url(client, admin, await upload(client, admin, path))

        response = await client.http.get(url)

        assert response.status_code == 200
        assert response.content == path.read_bytes()
        assert response.headers["content-type"].split(";")[0] == content_type
        assert response.headers["content-disposition"].startswith(
            f'attachment; filename="{path.name}"'
        )
        assert_safety_headers(response)


async def test_a_head_request_answers_the_headers_alone(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    pdf = files.write_multi_page_pdf(tmp_path)
    url = await download_url(client, admin, await upload(client, admin, pdf))

    response = await client.http.head(url)

    assert response.status_code == 200
    assert response.headers["content-length"] == str(pdf.stat().st_size)
    assert response.content == b""
    assert_safety_headers(response)


async def test_the_file_name_cannot_break_out_of_its_header(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    document_id = await upload(client, admin, files.write_text(tmp_path))
    # Whatever an upload could smuggle into the stored name (multipart clients escape it).
    name = 'Über "plan"; filename=evil.html\r\nSet-Cookie: x=1.txt'
    await Document.filter(id=uuid.UUID(document_id)).update(filename=name)
    url = await download_url(client, admin, document_id)

    response = await client.http.get(url)

    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert response.headers["content-disposition"] == (
        'attachment; filename="_ber _plan__ filename_evil.html__Set-Cookie_ x_1.txt"; '
        "filename*=UTF-8''%C3%9Cber%20%22plan%22%3B%20filename%3Devil.html%0D%0ASet-Cookie%3A"
        "%20x%3D1.txt"
    )


async def test_a_tampered_link_is_refused_and_reveals_nothing(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    document_id = await upload(client, admin, files.write_text(tmp_path))
    url = await download_url(client, admin, document_id)
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    signature, expires = query["signature"], query["expires"]
    other = uuid.uuid4()
    forged = [
        f"{parts.path}?expires={expires}&signature={signature[:-2]}AA",
        f"{parts.path}?expires={int(expires) + 3600}&signature={signature}",
        f"{parts.path}?expires={expires}",
        parts.path,
        f"/files/{other}/1?expires={expires}&signature={signature}",
        f"/files/{document_id}/2?expires={expires}&signature={signature}",
        f"/files/not-a-document/1?expires={expires}&signature={signature}",
    ]

    responses = [await client.http.get(link) for link in forged]

    assert [response.status_code for response in responses] == [403] * len(forged)
    assert len({response.text for response in responses}) == 1
    for response in responses:
        assert_safety_headers(response)
    assert (await client.http.get(url)).status_code == 200


async def test_an_expired_link_is_refused(
    client: GraphQLClient, services: Services, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    document_id = await upload(client, admin, files.write_text(tmp_path))
    an_hour_ago = Downloads(
        services.settings.secret, 300, services.files, clock=lambda: time.time() - 3600
    )
    link = an_hour_ago.sign(uuid.UUID(document_id), 1)

    response = await client.http.get(
        f"/files/{document_id}/1?expires={link.expires}&signature={link.signature}"
    )

    assert response.status_code == 403
    assert_safety_headers(response)


async def test_a_new_version_or_a_deletion_ends_the_link(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    path = files.write_markdown(tmp_path)
    document_id = await upload(client, admin, path)
    first = await download_url(client, admin, document_id)

    body = await client.execute(REINDEX, {"id": document_id}, token=admin.access_token)
    reindexed = body["data"]["reindexDocument"]["document"]

    assert reindexed["version"] == 2
    assert (await client.http.get(first)).status_code == 403
    second = await client.http.get(reindexed["downloadUrl"])
    assert second.status_code == 200
    assert second.content == path.read_bytes()

    await client.execute(DELETE, {"id": document_id}, token=admin.access_token)

    assert (await client.http.get(reindexed["downloadUrl"])).status_code == 403


async def test_only_who_may_see_a_document_gets_its_link(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    alice = await client.create_user(admin, "alice@example.com")
    bob = await client.create_user(admin, "bob@example.com")
    private = await upload(client, alice, files.write_text(tmp_path), visibility="PRIVATE")

    for_bob = await client.execute(DOWNLOAD_URL, {"id": private}, token=bob.access_token)
    anonymous = await client.execute(DOWNLOAD_URL, {"id": private})

    assert for_bob["data"]["document"] is None
    assert anonymous["data"] is None or anonymous["data"]["document"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await client.http.get(await download_url(client, alice, private))).status_code == 200


class SlowFiles(LocalFileStore):
    """Hands a file out in pieces, slower in all than the request deadline."""

    async def read(self, key: str) -> StoredBytes:
        stored = await super().read(key)
        return StoredBytes(stored.size_bytes, self._slowly(stored.chunks))

    async def _slowly(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        content = b"".join([piece async for piece in chunks])
        quarter = len(content) // 4 + 1
        for start in range(0, len(content), quarter):
            await asyncio.sleep(0.8)  # the slowness is what is under test
            yield content[start : start + quarter]


@asynccontextmanager
async def beacon(
    settings: Settings, adapters: Adapters | None = None
) -> AsyncIterator[GraphQLClient]:
    """A client of an app on these settings (and adapters), on empty tables."""
    _, services = build_process(settings, adapters)
    await services.start()
    await empty_tables(services.database)
    transport = httpx.ASGITransport(app=create_app(settings, services, manage_services=False))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://beacon.test") as http:
            yield GraphQLClient(http)
    finally:
        await services.close()


async def test_a_download_may_outlast_the_request_deadline(
    tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path, database_url, request_timeout_seconds=2)
    async with beacon(
        settings, Adapters(files=SlowFiles(settings.uploads_dir / "files"))
    ) as client:
        admin = await client.sign_up()
        path = files.write_text(tmp_path)
        url = await download_url(client, admin, await upload(client, admin, path))

        response = await client.http.get(url)

    assert response.status_code == 200
    assert response.content == path.read_bytes()


async def test_a_public_url_makes_the_link_absolute(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url, public_url="https://beacon.example.com/")
    async with beacon(settings) as client:
        admin = await client.sign_up()
        path = files.write_text(tmp_path)
        url = await download_url(client, admin, await upload(client, admin, path))

        response = await client.http.get(url)  # httpx sends it to the app all the same

    assert url.startswith("https://beacon.example.com/files/")
    assert response.status_code == 200
    assert response.content == path.read_bytes()
