"""Daily answer budgets as clients meet them: an organisation's spending is its own."""

from collections.abc import AsyncGenerator

from domain.assistant.generation.base import (
    Delta,
    Finished,
    GenerationEvent,
    GenerationRequest,
    Meter,
    Turn,
)
from domain.bootstrap import Adapters
from domain.documents.parsing import DocumentParser
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.settings import Settings
from tests.support.graphql import Account, GraphQLClient
from tests.support.platform import running_platform

ASK = """mutation($q: String!) { ask(input: {question: $q}) { __typename
  ... on Answer { text } ... on Error { code message } } }"""
ORGANIZATION_BUDGET = 1000
TOKENS_PER_ANSWER = 5000  # one answer spends an organisation's whole day


class MeteredGenerator:
    """Answers in one word and reports a fixed token usage, as an LLM's usage figures do."""

    name = "metered"

    def max_tokens(self, request: GenerationRequest) -> int:
        return 16  # what it reserves: little, so the first answer fits in the budget

    async def start(self) -> None:
        """Nothing to load."""

    async def close(self) -> None:
        """Nothing to release."""

    async def stream(
        self, request: GenerationRequest, meter: Meter | None = None
    ) -> AsyncGenerator[GenerationEvent, None]:
        yield Delta("Noted.")
        yield Finished(prompt_tokens=TOKENS_PER_ANSWER - 10, completion_tokens=10)

    async def rewrite(self, question: str, history: list[Turn]) -> str:
        return question


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
        settings, Adapters(embedder=embedder, extractor=extractor, generator=MeteredGenerator())
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
