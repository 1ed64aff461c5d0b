"""An HTML fragment, as a wiki or CMS exports a page (no <html> or <body>), is uploaded,
parsed as HTML and searchable."""

from pathlib import Path

from tests.support.platform import Platform

FRAGMENT = """<h2>Expense claims</h2>
<p>Receipts for hotel stays are uploaded to the finance portal within ten days.</p>
<ul><li>Taxis need a receipt too.</li></ul>
"""
SEARCH = """query($q: String!) { search(query: $q, first: 3) { text document { id } } }"""


async def test_an_html_fragment_uploads_becomes_ready_and_is_searchable(
    platform: Platform, tmp_path: Path
) -> None:
    client = platform.client
    admin = await client.sign_up()
    page = tmp_path / "expenses.html"
    page.write_text(FRAGMENT, encoding="utf-8")

    uploaded = await client.upload(admin, page)

    assert uploaded["__typename"] == "UploadDocumentSuccess", uploaded
    document = await client.wait_until_final(admin, uploaded["document"]["id"])
    assert document["status"] == "READY", document
    assert document["contentType"] == "text/html"
    body = await client.execute(
        SEARCH, {"q": "How soon are hotel receipts uploaded?"}, token=admin.access_token
    )
    assert not body.get("errors"), body
    top = body["data"]["search"][0]
    assert top["document"]["id"] == document["id"]
    assert "within ten days" in top["text"]
    # Parsed as HTML, not as text: no tag reaches the passage.
    assert "<p>" not in top["text"]
