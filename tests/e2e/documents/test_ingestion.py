"""Upload → docling → chunks → embeddings → vectors, through the API and the in-process worker."""

import uuid
from pathlib import Path

from domain.documents.models import Chunk
from tests.support import documents as files
from tests.support.platform import Platform


async def test_a_docx_becomes_ready_with_chunks_and_vectors(
    platform: Platform, tmp_path: Path
) -> None:
    client = platform.client
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_docx(tmp_path))
    assert uploaded["__typename"] == "UploadDocumentSuccess"
    assert uploaded["duplicate"] is False
    assert uploaded["document"]["status"] == "QUEUED"
    assert uploaded["document"]["uploadedBy"]["id"] == admin.id
    document = await client.wait_until_final(admin, uploaded["document"]["id"])
    assert document["status"] == "READY", document
    assert document["progress"] == 1.0
    assert document["chunkCount"] > 0
    assert document["contentType"].endswith("wordprocessingml.document")
    document_id = uuid.UUID(document["id"])
    chunks = await Chunk.filter(document_id=document_id).order_by("index")
    assert len(chunks) == document["chunkCount"]
    assert any(files.DOCX_SENTENCE in chunk.text for chunk in chunks)
    stored = await platform.services.vectors.count(uuid.UUID(admin.organization_id), document_id)
    assert stored == document["chunkCount"]


async def test_a_multi_page_pdf_keeps_its_page_numbers(platform: Platform, tmp_path: Path) -> None:
    client = platform.client
    admin = await client.sign_up()
    uploaded = await client.upload(admin, files.write_multi_page_pdf(tmp_path))
    document = await client.wait_until_final(admin, uploaded["document"]["id"])
    assert document["status"] == "READY", document
    assert document["pageCount"] == files.PDF_PAGE_COUNT
    chunks = await Chunk.filter(document_id=uuid.UUID(document["id"]))
    for page in range(1, files.PDF_PAGE_COUNT + 1):
        sentence = files.PDF_PAGE_SENTENCE.format(page=page)
        holding = [c for c in chunks if sentence in c.text]
        assert holding, sentence
        assert (holding[0].page_start, holding[0].page_end) == (page, page)


async def test_the_same_content_again_is_a_duplicate(platform: Platform, tmp_path: Path) -> None:
    client = platform.client
    admin = await client.sign_up()
    path = files.write_markdown(tmp_path)
    first = await client.upload(admin, path)
    again = await client.upload(admin, path, filename="renamed.md")
    assert again["duplicate"] is True
    assert again["document"]["id"] == first["document"]["id"]


async def test_a_private_copy_is_not_a_duplicate_of_a_shared_one(
    platform: Platform, tmp_path: Path
) -> None:
    client = platform.client
    admin = await client.sign_up()
    path = files.write_markdown(tmp_path)
    shared = await client.upload(admin, path)
    private = await client.upload(admin, path, visibility="PRIVATE")
    assert private["duplicate"] is False
    assert private["document"]["id"] != shared["document"]["id"]


async def test_every_supported_kind_is_ingested(platform: Platform, tmp_path: Path) -> None:
    client = platform.client
    admin = await client.sign_up()
    writers = [
        files.write_pptx,
        files.write_xlsx,
        files.write_html,
        files.write_csv,
        files.write_text,
    ]
    ids = [(await client.upload(admin, write(tmp_path)))["document"]["id"] for write in writers]
    for document_id in ids:
        document = await client.wait_until_final(admin, document_id)
        assert document["status"] == "READY", document
        assert document["chunkCount"] > 0
