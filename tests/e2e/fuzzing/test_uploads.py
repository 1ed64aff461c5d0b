"""Generated files, names and titles through uploadDocument never crash, leak or hang Beacon:
each upload is refused with a reason, or accepted and then ends READY or FAILED with one.

Bytes are random, or random after the magic numbers of the kinds Beacon accepts (PDF, the
Office zips, HTML), or text; names carry paths, NUL and odd characters. Bounded and seeded
like the schema fuzzer (tests/e2e/fuzzing/checks.py), a fifth as many examples: an accepted
file goes through the whole pipeline.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from domain.bootstrap import Adapters
from domain.documents.parsing import DocumentParser
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.e2e.fuzzing.checks import EXAMPLES, FUZZ_SETTINGS, REQUEST_DEADLINE, SEED, problems
from tests.support.graphql import UPLOAD, Account
from tests.support.platform import Platform, running_platform

pytestmark = pytest.mark.fuzzing

INGESTION_DEADLINE = 60.0  # seconds from upload to READY or FAILED, for files of a few KB
MAGIC = st.sampled_from(
    [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<!DOCTYPE html><html>", b"\xef\xbb\xbf"]
)
CONTENT = st.one_of(
    st.tuples(MAGIC, st.binary(max_size=4096)).map(lambda parts: parts[0] + parts[1]),
    st.text(min_size=1, max_size=2000).map(lambda text: text.encode("utf-8", "surrogatepass")),
)
NAME_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs",))
NAME = st.one_of(
    st.text(NAME_CHARACTERS, max_size=60),
    st.sampled_from(["../../etc/passwd", "a.pdf.php", "x\x00.pdf", "CON", ".", "a" * 300]),
)
TITLE = st.none() | st.text(max_size=300)


class Uploader:
    """A platform and a signed-in ADMIN to upload with."""

    def __init__(self, platform: Platform, account: Account) -> None:
        self.platform = platform
        self.account = account

    def __repr__(self) -> str:  # what Hypothesis prints for a failing example
        return f"Uploader({self.account.email})"


@pytest.fixture
async def uploader(
    fuzz_settings: Settings, embedder: SentenceTransformerEmbedder, extractor: DocumentParser
) -> AsyncIterator[Uploader]:
    async with running_platform(
        fuzz_settings, Adapters(embedder=embedder, extractor=extractor)
    ) as platform:
        yield Uploader(platform, await platform.client.sign_up("uploader@fuzz.example.com", "Fuzz"))


@seed(SEED)
@settings(FUZZ_SETTINGS, max_examples=max(1, EXAMPLES // 5))
@given(
    content=CONTENT,
    name=NAME,
    title=TITLE,
    visibility=st.sampled_from(["ORGANIZATION", "PRIVATE"]),
)
async def test_any_file_is_refused_or_ends_ready_or_failed_with_a_reason(
    uploader: Uploader, content: bytes, name: str, title: str | None, visibility: str
) -> None:
    platform, account = uploader.platform, uploader.account
    variables = {"input": {"file": None, "title": title, "visibility": visibility}}
    sent = f"{name} {title}"
    started = time.monotonic()
    try:
        async with asyncio.timeout(REQUEST_DEADLINE):
            response = await platform.client.http.post(
                "/graphql",
                data={
                    "operations": json.dumps({"query": UPLOAD, "variables": variables}),
                    "map": json.dumps({"0": ["variables.input.file"]}),
                },
                files={"0": (name, content, "application/octet-stream")},
                headers={
                    "authorization": f"Bearer {account.access_token}",
                    "apollo-require-preflight": "true",
                },
            )
    except TimeoutError:
        pytest.fail(f"no answer in {REQUEST_DEADLINE} s (BEACON_TEST_FUZZ_SEED={SEED})")
    found = problems(sent, response)
    assert not found, f"(BEACON_TEST_FUZZ_SEED={SEED}) {found} -> {response.text[:2000]}"
    body = response.json()
    result = (body.get("data") or {}).get("uploadDocument") or {}
    if result.get("__typename") != "UploadDocumentSuccess":
        reasons = [error.get("message") for error in body.get("errors") or [result]]
        assert all(reasons), response.text  # refused, with a reason
        return
    document = await platform.client.wait_until_final(
        account, result["document"]["id"], seconds=INGESTION_DEADLINE
    )
    assert document["status"] in ("READY", "FAILED"), document
    if document["status"] == "FAILED":
        failure = httpx.Response(200, json={"message": document["failure"]["message"]})
        assert document["failure"]["message"], document
        assert not problems(sent, failure), document
    assert time.monotonic() - started < INGESTION_DEADLINE + REQUEST_DEADLINE
