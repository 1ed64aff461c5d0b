"""Answers follow their organisation's settings and record the prompt version they used."""

from pathlib import Path
from typing import Any

import pytest

from domain.bootstrap import Services
from tests.e2e.administration.test_organization_settings import update
from tests.e2e.assistant.test_answers import HOLIDAYS, POLICY
from tests.fakes.generators import ScriptedGenerator
from tests.support.fake_services import Fakes
from tests.support.graphql import Account, GraphQLClient

ASK = """mutation($input: AskInput!) { ask(input: $input) { __typename
  ... on Answer { reply { promptVersion generator } } } }"""


@pytest.fixture
def fakes() -> Fakes:
    return Fakes(generator=ScriptedGenerator(["Noted."], name="recording"))  # keeps requests


async def ingest(
    client: GraphQLClient, fakes: Fakes, account: Account, tmp: Path, name: str, text: str
) -> None:
    path = tmp / name
    path.write_text(text)
    uploaded = await client.upload(account, path)
    await fakes.jobs.settled()
    document = await client.wait_until_final(account, uploaded["document"]["id"])
    assert document["status"] == "READY", document


async def ask(client: GraphQLClient, token: str) -> dict[str, Any]:
    question = {"input": {"question": "How many vacation days, and are receipts needed?"}}
    body = await client.execute(ASK, question, token=token)
    assert not body.get("errors"), body
    answer: dict[str, Any] = body["data"]["ask"]
    return answer


async def test_answers_follow_the_organisations_prompt_and_sources_and_record_the_version(
    client: GraphQLClient, services: Services, fakes: Fakes, tmp_path: Path
) -> None:
    fakes.jobs.attach(services.ingestion)
    admin = await client.sign_up()
    await ingest(client, fakes, admin, tmp_path, "policy.md", POLICY)
    await ingest(client, fakes, admin, tmp_path, "holidays.md", HOLIDAYS)

    before = await ask(client, admin.access_token)
    await update(client, admin, answerSources=1, systemPrompt="Answer briefly.")
    after = await ask(client, admin.access_token)

    assert before["reply"] == {"promptVersion": "beacon-1", "generator": "recording"}
    assert after["reply"] == {"promptVersion": "organization-1", "generator": "recording"}
    first, second = fakes.generator.requests
    assert (first.instructions, len(first.sources) > 1) == (None, True)
    assert (second.instructions, len(second.sources)) == ("Answer briefly.", 1)
