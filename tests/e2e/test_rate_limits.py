"""Per-user limits on questions and uploads, apart from the cost and token budgets."""

from pathlib import Path

import pytest

from domain.documents.models import Document
from domain.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import GraphQLClient

ASK = """mutation($q: String!) { ask(input: {question: $q}) { __typename
  ... on TooManyAttempts { code message retryAfterSeconds } } }"""


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path, database_url, ask_rate_per_user="2/minute", upload_rate_per_user="2/minute"
    )


async def test_a_user_over_the_question_limit_is_told_when_to_ask_again(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    bob = await client.create_user(admin, "bob@example.com")
    answers = [
        (await client.execute(ASK, {"q": "Are receipts needed?"}, token=admin.access_token))
        for _ in range(3)
    ]

    assert [a["data"]["ask"]["__typename"] for a in answers] == [
        "Answer",
        "Answer",
        "TooManyAttempts",
    ]
    refused = answers[2]["data"]["ask"]
    assert refused["code"] == "RATE_LIMITED"
    assert 0 < refused["retryAfterSeconds"] <= 60
    assert f"{refused['retryAfterSeconds']} seconds" in refused["message"]
    # The limit is the user's own: a colleague still asks.
    other = await client.execute(ASK, {"q": "Are receipts needed?"}, token=bob.access_token)
    assert other["data"]["ask"]["__typename"] == "Answer"


async def test_a_user_over_the_upload_limit_gets_too_many_attempts(
    client: GraphQLClient, tmp_path: Path
) -> None:
    admin = await client.sign_up()
    results = []
    for number in range(3):
        path = tmp_path / f"note-{number}.md"
        path.write_text(f"# Note {number}\n\nThe number is {number}.")
        results.append(await client.upload(admin, path))

    # Stored either way (this app has no queue, so the first two wait for the sweeper).
    accepted = {"UploadDocumentSuccess", "IngestionDelayed"}
    assert [r["__typename"] in accepted for r in results] == [True, True, False]
    assert results[2]["__typename"] == "TooManyAttempts"


async def test_a_batch_of_uploads_counts_each_file_and_is_refused_whole_over_the_limit(
    client: GraphQLClient,
) -> None:
    admin = await client.sign_up()
    three = [(f"note-{n}.md", f"# Note {n}\n\nThe number is {n}.".encode()) for n in range(3)]

    over = await client.upload_many(admin, three)
    within = await client.upload_many(admin, three[:2])
    spent = await client.upload_many(admin, three[2:])

    assert over["__typename"] == "TooManyAttempts"
    assert over["code"] == "RATE_LIMITED"
    assert within["__typename"] == "UploadDocumentsSuccess"
    assert len(within["results"]) == 2, "the refused batch charged nothing"
    assert spent["__typename"] == "TooManyAttempts"
    assert await Document.all().count() == 2
