"""A PDF mixing typed and scanned pages: the scanned page's text is searchable and cited
with its page, through the API."""

from pathlib import Path

from domain.bootstrap import Adapters
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.support import documents as files
from tests.support import scans
from tests.support.graphql import Account
from tests.support.platform import Platform, running_platform

SEARCH = """query($q: String!) { search(query: $q, first: 3) { text page } }"""
ASK = """mutation($input: AskInput!) { ask(input: $input) { __typename
  ... on Answer { citations { snippet page } } ... on Error { code message } } }"""


def plain(text: str) -> str:
    return " ".join(text.split()).casefold()


async def test_a_scanned_page_is_searchable_and_cited_with_its_page(
    platform: Platform, tmp_path: Path
) -> None:
    client = platform.client
    admin = await client.sign_up()
    uploaded = await client.upload(admin, scans.write_mixed_pdf(tmp_path))
    document = await client.wait_until_final(admin, uploaded["document"]["id"])
    assert document["status"] == "READY", document
    assert document["pageCount"] == 3

    question = "When does the forklift licence of every driver expire?"
    body = await client.execute(SEARCH, {"q": question}, token=admin.access_token)
    assert not body.get("errors"), body
    top = body["data"]["search"][0]
    assert plain(scans.SCANNED_PAGE[0]) in plain(top["text"]), top
    assert top["page"] == 2

    body = await client.execute(ASK, {"input": {"question": question}}, token=admin.access_token)
    assert not body.get("errors"), body
    answer = body["data"]["ask"]
    assert answer["__typename"] == "Answer", answer
    cited = [c for c in answer["citations"] if "forklift" in c["snippet"].casefold()]
    assert cited, answer
    assert {citation["page"] for citation in cited} == {2}


async def failure_of(platform: Platform, admin: Account, path: Path) -> dict[str, str]:
    uploaded = await platform.client.upload(admin, path)
    document = await platform.client.wait_until_final(admin, uploaded["document"]["id"])
    assert document["status"] == "FAILED", document
    failure: dict[str, str] = document["failure"]
    return failure


async def test_a_scan_without_text_fails_empty_saying_ocr_found_nothing(
    platform: Platform, tmp_path: Path
) -> None:
    admin = await platform.client.sign_up()
    failure = await failure_of(platform, admin, files.write_image_only_pdf(tmp_path))
    assert failure["code"] == "EMPTY_FILE"
    assert "OCR found no text" in failure["message"]


async def test_with_ocr_off_a_scan_fails_empty_saying_ocr_is_off(
    pipeline_settings: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    settings = pipeline_settings.model_copy(update={"ocr": "off"})
    # The service's own parser, as BEACON_OCR=off builds it (not the session's shared one).
    async with running_platform(settings, Adapters(embedder=embedder)) as platform:
        admin = await platform.client.sign_up()
        path = scans.write_scanned_pdf(tmp_path, [scans.SCANNED_LINES])
        failure = await failure_of(platform, admin, path)
    assert failure["code"] == "EMPTY_FILE"
    assert "OCR, which is off" in failure["message"]
