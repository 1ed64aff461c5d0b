"""`beacon eval --answers` as a real process: answer metrics beside the retrieval table."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_eval import ROOT, write_dataset
from tests.support.llm_server import LlmServer, llm_server, llm_server_unavailable_reason

# `beacon eval` always works in a scratch SQLite directory, whatever the pass's database.
pytestmark = pytest.mark.embedded_process


def run_eval(tmp_path: Path, *options: str, **env: str) -> subprocess.CompletedProcess[str]:
    dataset = tmp_path / "tiny"
    write_dataset(dataset)
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("BEACON_LLM_")
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "eval",
            str(dataset),
            "--data-dir",
            str(tmp_path / "d"),
            "--answers",
            *options,
        ],
        cwd=ROOT,
        env={**environment, "BEACON_DATA_DIR": str(tmp_path / "unused"), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def metric(stdout: str, name: str) -> tuple[float, int, int]:
    """A metric line's ratio and the counts in its parentheses."""
    found = re.search(rf"^{name} +(\S+) +\((\d+)/(\d+) ", stdout, re.MULTILINE)
    assert found, f"no {name} line in:\n{stdout}"
    return float(found.group(1)), int(found.group(2)), int(found.group(3))


def test_the_extractive_answers_are_scored_beside_the_retrieval_metrics(tmp_path: Path) -> None:
    result = run_eval(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "hybrid >= better single mode" in result.stdout, "the retrieval report comes first"
    assert (
        "answers by extractive: 3 answerable questions, 1 with every relevant passage left out"
        in result.stdout
    )
    # The held-out question is the first (the Eiffel Tower): both its passages are deleted.
    assert "left out 2 documents judged relevant to the 1 held-out questions" in result.stderr
    # Quotes are verbatim, so every citation holds; nothing else is about the tower.
    assert metric(result.stdout, "citation precision")[0] == 1.0
    assert metric(result.stdout, "abstention") == (1.0, 1, 1)
    assert metric(result.stdout, "refusal") == (0.0, 0, 3)
    assert "faithfulness" not in result.stdout, "no LLM, no judge"
    assert re.search(r"^4 questions answered in [\d.]+ s", result.stdout, re.MULTILINE)


@pytest.fixture(scope="module")
def server() -> Iterator[LlmServer]:
    """llama.cpp serving SmolLM2-135M for this module."""
    reason = llm_server_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with llm_server(n_ctx=2048) as running:
        yield running


def test_with_an_llm_the_judge_scores_the_faithfulness_of_its_answers(
    tmp_path: Path, server: LlmServer
) -> None:
    result = run_eval(
        tmp_path,
        "--answer-limit",
        "2",
        BEACON_LLM_BASE_URL=server.base_url,
        BEACON_LLM_MODEL=server.model,
        BEACON_LLM_MAX_TOKENS="48",
        BEACON_LLM_TIMEOUT_SECONDS="120",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"answers by openai:{server.model}: 1 answerable questions, 1 with" in result.stdout
    judged = re.search(
        r"^faithfulness \(LLM judge, 1-5\) (-|[1-5]\.\d\d) +\((\d+) answers judged, (\d+) "
        r"verdicts without a score; abstentions not judged\)",
        result.stdout,
        re.MULTILINE,
    )
    assert judged, result.stdout
    mean, count, unreadable = judged.groups()
    _, abstained, _ = metric(result.stdout, "abstention")
    _, refused, _ = metric(result.stdout, "refusal")
    # Every answer that does not abstain goes to the judge; a small model may refuse both.
    assert int(count) + abstained + refused == 2
    assert (mean == "-") == (int(count) == int(unreadable))
    assert "came from the extractive fallback" not in result.stdout, server.log()[-2000:]
