"""`beacon eval` as a real process, on a tiny BEIR dataset written for the test."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# `beacon eval` always works in a scratch SQLite directory, whatever the pass's database.
pytestmark = pytest.mark.embedded_process

ROOT = Path(__file__).resolve().parents[2]

PASSAGES = {
    "p1": "The Eiffel Tower in Paris was completed in 1889 for the World's Fair.",
    "p2": "Gustave Eiffel's company designed and built the wrought-iron tower in Paris.",
    "p3": "Photosynthesis lets plants turn sunlight, water and carbon dioxide into sugar.",
    "p4": "Chlorophyll in the leaves absorbs red and blue light for photosynthesis.",
    "p5": "The Pacific is the largest and deepest of the Earth's oceans.",
    "p6": "The Mariana Trench in the Pacific Ocean reaches almost eleven kilometres deep.",
    "p7": "Bread rises because yeast ferments sugar and releases carbon dioxide gas.",
    "p8": "Sourdough starters keep wild yeast and lactic acid bacteria alive in flour.",
    "p9": "Jupiter is the largest planet of the solar system, a gas giant.",
    "p10": "Saturn's rings are made of ice particles with some rocky debris.",
    "p11": "A violin has four strings tuned in perfect fifths.",
    "p12": "The cello is played seated, held between the knees of the player.",
}
QUERIES = {
    "q1": "when was the eiffel tower built",
    "q2": "how do plants make sugar from sunlight",
    "q3": "deepest point in the ocean",
    "q4": "why does bread dough rise",
}
QRELS = [
    ("q1", "p1", 2),
    ("q1", "p2", 1),
    ("q2", "p3", 2),
    ("q2", "p4", 1),
    ("q3", "p6", 2),
    ("q3", "p5", 1),
    ("q4", "p7", 2),
    ("q4", "p8", 1),
]


def write_dataset(folder: Path) -> None:
    folder.mkdir()
    (folder / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": i, "title": "", "text": t}) for i, t in PASSAGES.items())
    )
    (folder / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": i, "text": t}) for i, t in QUERIES.items())
    )
    (folder / "qrels").mkdir()
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t{g}\n" for q, d, g in QRELS)
    )


def test_eval_prints_a_row_of_metrics_per_search_mode(tmp_path: Path) -> None:
    dataset = tmp_path / "tiny"
    write_dataset(dataset)
    # Its one scratch ADMIN uploads all 12 passages: a person's upload limit does not apply.
    limited = {"BEACON_UPLOAD_RATE_PER_USER": "2/minute"}
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "eval", str(dataset), "--data-dir", str(tmp_path / "d")],
        cwd=ROOT,
        env={**os.environ, "BEACON_DATA_DIR": str(tmp_path / "unused"), **limited},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ingestion finished" in result.stderr and "12 ready, 0 failed" in result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("mode"))
    rows = {line.split()[0]: line.split()[1:] for line in lines[header + 1 : header + 4]}
    assert set(rows) == {"hybrid", "bm25", "dense"}
    for mode, values in rows.items():
        ndcg, recall, mrr, p50, p95 = (float(value) for value in values)
        assert all(0.0 <= metric <= 1.0 for metric in (ndcg, recall, mrr)), mode
        assert 0.0 < p50 <= p95, mode
    # These questions share words and meaning with their passages: every mode finds them.
    assert all(float(values[2]) > 0.5 for values in rows.values()), result.stdout
    assert "hybrid >= better single mode + 0.02 nDCG@10:" in result.stdout
    assert not (tmp_path / "unused").exists(), "eval must not touch the configured data dir"
