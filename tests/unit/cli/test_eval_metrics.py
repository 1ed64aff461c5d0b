"""`beacon eval`'s arithmetic: nDCG, recall, MRR, percentiles and the hybrid verdict."""

import json
import math
from pathlib import Path

import pytest

from cli.eval_metrics import (
    ModeReport,
    dcg,
    format_table,
    hybrid_verdict,
    ndcg_at_k,
    percentile,
    recall_at_k,
    reciprocal_rank_at_k,
    score_mode,
    unique_ranking,
)
from cli.evaluate import read_dataset

GRADES = {"a": 3, "b": 2, "c": 1}


def test_dcg_divides_each_gain_by_log2_of_rank_plus_one() -> None:
    assert dcg([3, 2, 1]) == pytest.approx(3 / 1 + 2 / math.log2(3) + 1 / 2)
    assert dcg([]) == 0.0


def test_ndcg_of_the_ideal_order_is_one() -> None:
    assert ndcg_at_k(["a", "b", "c"], GRADES, 10) == pytest.approx(1.0)


def test_ndcg_of_the_reversed_order_matches_the_hand_computation() -> None:
    got = 1 / 1 + 2 / math.log2(3) + 3 / 2  # c, b, a
    ideal = 3 / 1 + 2 / math.log2(3) + 1 / 2
    assert ndcg_at_k(["c", "b", "a"], GRADES, 10) == pytest.approx(got / ideal)
    assert ndcg_at_k(["c", "b", "a"], GRADES, 10) == pytest.approx(0.78999, abs=1e-5)


def test_ndcg_counts_unjudged_hits_as_zero_gain_and_stops_at_k() -> None:
    grades = {"a": 1}
    assert ndcg_at_k(["x", "a"], grades, 1) == 0.0
    assert ndcg_at_k(["x", "a"], grades, 2) == pytest.approx(1 / math.log2(3))


def test_the_ideal_ranking_comes_from_the_judgements_not_from_the_hits() -> None:
    # Two relevant passages exist; finding only the better one at rank 1 is not perfect.
    grades = {"a": 2, "b": 2}
    assert ndcg_at_k(["a"], grades, 10) == pytest.approx(2 / (2 + 2 / math.log2(3)))


def test_the_ideal_ranking_is_cut_at_k_too() -> None:
    grades = {"a": 1, "b": 1, "c": 1}
    assert ndcg_at_k(["a"], grades, 1) == pytest.approx(1.0)


def test_equally_graded_passages_may_come_in_either_order() -> None:
    grades = {"a": 2, "b": 2, "c": 1}
    assert ndcg_at_k(["a", "b", "c"], grades, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "a", "c"], grades, 10) == pytest.approx(1.0)
    assert recall_at_k(["b", "a"], grades, 10) == recall_at_k(["a", "b"], grades, 10)


def test_without_relevant_judgements_every_metric_is_zero() -> None:
    for grades in ({}, {"a": 0, "b": 0}):
        assert ndcg_at_k(["a", "b"], grades, 10) == 0.0
        assert recall_at_k(["a", "b"], grades, 10) == 0.0
        assert reciprocal_rank_at_k(["a", "b"], grades, 10) == 0.0


def test_an_empty_ranking_scores_zero() -> None:
    assert ndcg_at_k([], GRADES, 10) == 0.0
    assert recall_at_k([], GRADES, 10) == 0.0
    assert reciprocal_rank_at_k([], GRADES, 10) == 0.0


def test_recall_is_the_share_of_relevant_passages_in_the_top_k() -> None:
    grades = {"a": 1, "b": 2, "c": 3, "d": 1, "z": 0}
    assert recall_at_k(["a", "x", "c", "z"], grades, 10) == pytest.approx(2 / 4)
    assert recall_at_k(["a", "x", "c"], grades, 2) == pytest.approx(1 / 4)


def test_mrr_is_one_over_the_rank_of_the_first_relevant_passage() -> None:
    grades = {"c": 1, "d": 3, "z": 0}
    assert reciprocal_rank_at_k(["z", "x", "c", "d"], grades, 10) == pytest.approx(1 / 3)
    assert reciprocal_rank_at_k(["z", "x", "c"], grades, 2) == 0.0
    assert reciprocal_rank_at_k(["d"], grades, 10) == 1.0


def test_unique_ranking_keeps_each_passage_at_its_first_place() -> None:
    assert unique_ranking(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_score_mode_averages_over_judged_queries_and_missing_rankings_score_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    report = score_mode("bm25", {"q1": ["a"]}, qrels, [1.0, 3.0], 10)
    assert report.ndcg == pytest.approx(0.5)
    assert report.recall == pytest.approx(0.5)
    assert report.mrr == pytest.approx(0.5)
    assert report.p50_ms == pytest.approx(2.0)


def _report(mode: str, ndcg: float) -> ModeReport:
    return ModeReport(mode, ndcg, 0.0, 0.0, 1.0, 2.0)


def test_hybrid_must_beat_the_better_single_mode_by_the_margin() -> None:
    exactly = hybrid_verdict([_report("hybrid", 0.52), _report("bm25", 0.5), _report("dense", 0.4)])
    assert exactly.passed and exactly.best_single == "bm25"
    short = hybrid_verdict([_report("hybrid", 0.519), _report("bm25", 0.3), _report("dense", 0.5)])
    assert not short.passed and short.best_single == "dense"
    assert "NO" in short.describe(10) and "dense 0.5000" in short.describe(10)


def test_the_table_has_a_row_per_mode() -> None:
    table = format_table([_report("hybrid", 0.5), _report("bm25", 0.25)], 10).splitlines()
    assert table[0].split() == ["mode", "nDCG@10", "recall@10", "MRR@10", "p50", "ms", "p95", "ms"]
    assert table[1].split()[:2] == ["hybrid", "0.5000"]
    assert table[2].split()[:2] == ["bm25", "0.2500"]


def test_a_limited_corpus_restricts_the_judgements_and_skips_queries_left_without_any(
    tmp_path: Path,
) -> None:
    rows = [{"_id": "d1", "title": "T", "text": "one"}, {"_id": "d2", "text": "two"}]
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    queries = [{"_id": "q1", "text": "first"}, {"_id": "q2", "text": "second"}]
    (tmp_path / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries))
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t1\nq2\td2\t1\n"
    )
    full = read_dataset(tmp_path)
    assert full.passages[0].text == "T\n\none"
    assert full.qrels == {"q1": {"d1": 2, "d2": 1}, "q2": {"d2": 1}}
    limited = read_dataset(tmp_path, limit_docs=1)
    assert limited.qrels == {"q1": {"d1": 2}}
    assert limited.skipped_queries == 1
    assert list(read_dataset(tmp_path, limit_queries=1).queries) == ["q1"]
