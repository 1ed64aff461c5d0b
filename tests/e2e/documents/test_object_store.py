"""Documents kept in a real S3-compatible object store, and what happens when it fails."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from domain.bootstrap import Adapters
from domain.documents.filestores.s3 import ObjectStoreError, S3FileStore
from domain.documents.models import Document
from domain.documents.parsing import DocumentParser
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.support import documents as files
from tests.support.live_server import free_port
from tests.support.platform import running_platform
from tests.support.services import require_object_store, s3_file_store


class DownloadsFailOnce(S3FileStore):
    """The real adapter, whose first download fails as if the store were briefly down."""

    failures = 0

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        if self.failures == 0:
            self.failures += 1
            raise ObjectStoreError("download from s3://beacon-test failed: connection refused")
        async with super().local_copy(key) as path:
            yield path


class DownAfterStart(S3FileStore):
    """The real adapter aimed at a port nobody listens on, as if the store went down after
    start-up (start itself is skipped: it would fail, as it should)."""

    async def start(self) -> None:
        pass


async def test_an_upload_is_stored_in_the_bucket_ingested_from_it_and_purged_on_delete(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    bucket = s3_file_store(require_object_store(), tmp_path / "downloads")
    async with running_platform(
        pipeline_settings, Adapters(embedder=embedder, extractor=extractor, files=bucket)
    ) as platform:
        admin = await platform.client.sign_up()
        uploaded = await platform.client.upload(admin, files.write_docx(tmp_path))
        document_id = uploaded["document"]["id"]
        assert await bucket.keys() == {uuid.UUID(document_id).hex}
        assert list((pipeline_settings.uploads_dir / "staging").iterdir()) == []

        document = await platform.client.wait_until_final(admin, document_id)
        assert document["status"] == "READY"
        assert list((tmp_path / "downloads").iterdir()) == []  # the worker's copy is gone

        await platform.client.execute(
            "mutation($id: ID!) { deleteDocument(id: $id) { __typename } }",
            {"id": document_id},
            token=admin.access_token,
        )
        for _ in range(100):  # the purge runs in the worker
            if not await bucket.keys():
                break
            await asyncio.sleep(0.1)
        assert await bucket.keys() == set()


async def test_a_download_that_fails_is_retried_and_the_document_still_ends_ready(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    server = require_object_store()
    flaky = s3_file_store(server, tmp_path / "downloads", cls=DownloadsFailOnce)
    async with running_platform(
        pipeline_settings, Adapters(embedder=embedder, extractor=extractor, files=flaky)
    ) as platform:
        admin = await platform.client.sign_up()
        uploaded = await platform.client.upload(admin, files.write_text(tmp_path))
        document = await platform.client.wait_until_final(admin, uploaded["document"]["id"])
        await flaky.delete(uuid.UUID(uploaded["document"]["id"]).hex)
    assert (document["status"], document["attempts"]) == ("READY", 2)


async def test_an_upload_the_store_cannot_take_is_refused_and_leaves_no_row_and_no_file(
    pipeline_settings: Settings,
    embedder: SentenceTransformerEmbedder,
    extractor: DocumentParser,
    tmp_path: Path,
) -> None:
    down = s3_file_store(
        require_object_store(),
        tmp_path / "downloads",
        cls=DownAfterStart,
        endpoint=f"http://127.0.0.1:{free_port()}",
        max_retries=0,
    )
    async with running_platform(
        pipeline_settings, Adapters(embedder=embedder, extractor=extractor, files=down)
    ) as platform:
        admin = await platform.client.sign_up()
        result = await platform.client.upload(admin, files.write_text(tmp_path))
        assert result["__typename"] == "FileRejected"
        assert result["code"] == "TRANSIENT_FAILURE"
        assert "try the upload again" in result["message"]
        assert await Document.all().count() == 0
        assert list((pipeline_settings.uploads_dir / "staging").iterdir()) == []
