"""Search hits and citations name the page that holds their text, on short pages that the
chunker would once have joined into one passage."""

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import documents as files
from tests.support.platform import Platform

SEARCH = """query($q: String!) { search(query: $q, first: 5) { text page headingPath } }"""
ASK = """mutation($input: AskInput!) { ask(input: $input) { __typename
  ... on Answer { citations { snippet page } } ... on Error { code message } } }"""


@pytest.mark.parametrize(
    ("writer", "pages"),
    [
        (lambda folder: files.write_short_pdf(folder, 2), files.SHORT_PDF_PAGES[:2]),
        (lambda folder: files.write_short_pdf(folder, 3), files.SHORT_PDF_PAGES),
        (files.write_untitled_slides, files.SLIDES),
        (
            lambda folder: files.write_untitled_slides(folder, first_title=files.SLIDES_TITLE),
            [[files.SLIDES_TITLE, *files.SLIDES[0]], *files.SLIDES[1:]],
        ),
        (files.write_workbook, files.SHEET_PAGES),
    ],
    ids=["two-page-pdf", "three-page-pdf", "slides", "slides-under-one-title", "sheets"],
)
async def test_every_hit_and_citation_names_the_page_its_text_starts_on(
    platform: Platform,
    tmp_path: Path,
    writer: Callable[[Path], Path],
    pages: list[list[str]],
) -> None:
    client = platform.client
    admin = await client.sign_up()
    uploaded = await client.upload(admin, writer(tmp_path))
    document = await client.wait_until_final(admin, uploaded["document"]["id"])
    assert document["status"] == "READY", document
    for page, strings in enumerate(pages, start=1):
        question = " ".join(strings)
        body = await client.execute(SEARCH, {"q": question}, token=admin.access_token)
        assert not body.get("errors"), body
        hits = body["data"]["search"]
        assert hits[0]["page"] == page, (question, hits[0])
        for hit in hits:
            # A passage starts with its headings, which may come from an earlier page.
            own_text = hit["text"].removeprefix("".join(f"{h}\n" for h in hit["headingPath"]))
            assert hit["page"] == files.page_of(own_text, pages), hit

        body = await client.execute(
            ASK, {"input": {"question": question}}, token=admin.access_token
        )
        assert not body.get("errors"), body
        answer = body["data"]["ask"]
        assert answer["__typename"] == "Answer", answer
        assert page in {citation["page"] for citation in answer["citations"]}, answer
        for citation in answer["citations"]:
            assert citation["page"] == files.page_of(citation["snippet"], pages), citation
