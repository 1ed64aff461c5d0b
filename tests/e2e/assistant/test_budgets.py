"""Daily answer budgets as clients meet them: an organisation's spending is its own."""

from domain.assistant.generation.base import Finished
from domain.bootstrap import Adapters
from domain.documents.parsing import DocumentParser
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.fakes.generators import ScriptedGenerator
from tests.support.graphql import Account, GraphQLClient
from tests.support.platform import running_platform

ASK = """mutation($q: String!) { ask(input: {question: $q}) { __typename
  ... on Answer { text } ... on Error { code message } } }"""
ORGANIZATION_BUDGET = 1000
TOKENS_PER_ANSWER = 5000  # one answer spends an organisation's whole day


def metered() -> ScriptedGenerator:
    """Answers in one word and reports a fixed token usage, as an LLM's usage figures do; it
    reserves little, so the first answer fits in the budget."""
    return ScriptedGenerator(
        ["Noted."],
        finished=Finished(prompt_tokens=TOKENS_PER_ANSWER - 10, completion_tokens=10),
        max_tokens=16,
        name="metered",
    )


async def ask(client: GraphQLClient, account: Account) -> dict[str, str]:
    body = await client.execute(ASK, {"q": "Are receipts required?"}, token=account.access_token)
    return body["data"]["ask"]  # type: ignore[no-any-return]


async def test_an_organisation_that_spent_its_budget_leaves_others_theirs(
    pipeline_settings: Settings, embedder: SentenceTransformerEmbedder, extractor: DocumentParser
) -> None:
    settings = pipeline_settings.model_copy(
        update={"daily_tokens_per_organization": ORGANIZATION_BUDGET, "llm_max_tokens": 16}
    )
    async with running_platform(
        settings, Adapters(embedder=embedder, extractor=extractor, generator=metered())
    ) as platform:
        client = platform.client
        acme_admin = await client.sign_up()
        acme_user = await client.create_user(acme_admin, "bob@example.com")
        globex_admin = await client.sign_up("grace@example.com", "Globex")
        assert (await ask(client, acme_admin))["__typename"] == "Answer"
        # Bob has spent nothing himself: his organisation's day is what is used up.
        refused = await ask(client, acme_user)
        assert (refused["__typename"], refused["code"]) == ("BudgetExceeded", "BUDGET_EXCEEDED")
        assert "organisation" in refused["message"]
        assert (await ask(client, globex_admin))["__typename"] == "Answer"
        assert (await ask(client, acme_admin))["__typename"] == "BudgetExceeded"
