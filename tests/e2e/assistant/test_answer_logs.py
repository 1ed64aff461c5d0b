"""An answer logs each of its steps (rewrite, search, generation) with its timings, and the
ingestion of its document logs the document and the attempt."""

from pathlib import Path

from tests.e2e.assistant.test_answers import POLICY, ask, ingest
from tests.support.logs import configured_logging
from tests.support.platform import Platform


async def test_an_answer_logs_its_retrieval_and_generation_steps_with_timings(
    platform: Platform, tmp_path: Path
) -> None:
    account = await platform.client.sign_up()
    with configured_logging("json") as logs:
        document_id = await ingest(platform, account, tmp_path, "policy.md", POLICY)
        first = await ask(platform, account, "Are receipts needed?")
        await ask(platform, account, "And for trains?", first["conversation"]["id"])

    (ready,) = [line for line in logs.lines() if line["event"].startswith("document ready")]
    assert (ready["document_id"], ready["attempt"]) == (document_id, 1)

    searches = logs.events("search")
    assert len(searches) == 2
    for search in searches:
        assert search["mode"] == "hybrid" and search["hits"] >= 1
        for timing in ("search_ms", "embed_ms", "dense_ms", "text_ms", "fusion_ms"):
            assert search[timing] >= 0, timing
        assert search["user_id"] == account.id and search["request_id"]

    (rewritten,) = logs.events("question rewritten")
    assert rewritten["rewrite_ms"] >= 0 and rewritten["turns"] == 2

    answers = logs.events("answer generated")
    assert len(answers) == 2
    for answer in answers:
        assert answer["generator"] == "extractive" and answer["sources"] >= 1
        # The extractive generator spends no tokens; the fields are there all the same.
        assert answer["completion_tokens"] == answer["prompt_tokens"] == 0
        assert 0 <= answer["first_delta_ms"] <= answer["generation_ms"] <= answer["total_ms"]
        assert answer["search_ms"] >= 0
        assert answer["organization_id"] == account.organization_id
