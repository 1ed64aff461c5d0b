"""A PDF mixing typed and scanned pages: the scanned page's text is searchable and cited
with its page, through the API."""

from pathlib import Path

from tests.support import scans
from tests.support.platform import Platform

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
