"""Hybrid fusion: standard scores per query by default, reciprocal ranks on request."""

from pathlib import Path

import pytest

from domain.retrieval.building import search_fusion
from domain.retrieval.fusion import (
    DEFAULT_TEXT_WEIGHT,
    Fusion,
    FusionMethod,
    fuse,
    standard_scores,
)
from domain.settings import SettingsError, load_settings

ZSCORE = Fusion()
RRF = Fusion(FusionMethod.RRF, text_weight=DEFAULT_TEXT_WEIGHT[FusionMethod.RRF])

# Dense is sure of nothing in particular: close cosines, a gentle slope.
DENSE = [("a", 0.62), ("b", 0.61), ("c", 0.60), ("d", 0.59), ("e", 0.58), ("f", 0.57)]


def keys(fused: list[tuple[str, float]]) -> list[str]:
    return [key for key, _ in fused]


def test_standard_scores_have_mean_zero_and_unit_spread_and_name_the_lowest() -> None:
    standard, floor = standard_scores([("a", 3.0), ("b", 1.0), ("c", 2.0)])
    assert standard["c"] == pytest.approx(0.0)
    assert standard["a"] == pytest.approx(-standard["b"]) == pytest.approx(1.2247, abs=1e-4)
    assert floor == standard["b"]


def test_a_list_that_cannot_tell_its_candidates_apart_scores_them_all_zero() -> None:
    assert standard_scores([("a", 5.0), ("b", 5.0)]) == ({"a": 0.0, "b": 0.0}, 0.0)
    assert standard_scores([("a", 5.0)]) == ({"a": 0.0}, 0.0)
    assert standard_scores([]) == ({}, 0.0)


def test_without_lexical_hits_the_dense_order_is_kept() -> None:
    # A query of stop words only: BM25 finds nothing, hybrid must be dense.
    assert keys(fuse(DENSE, [], ZSCORE)) == keys(DENSE)


def test_a_flat_bm25_list_does_not_reorder_dense() -> None:
    # Common words only: BM25 scores its candidates alike, so it has nothing to say.
    flat = [("f", 2.0), ("e", 2.0), ("d", 2.0)]
    assert keys(fuse(DENSE, flat, ZSCORE)) == keys(DENSE)


def test_a_bm25_match_that_stands_out_is_lifted_above_dense_guesses() -> None:
    # An exact code matches one chunk far above the rest of BM25's 20 candidates; dense,
    # which does not read codes, has it fifth of 20 on a gentle slope. Its weight comes
    # from the distribution: the same chunk heading an even BM25 list is not lifted.
    dense = [(f"c{i}", 0.70 - i * 0.005) for i in range(20)]
    others = [f"c{i}" for i in range(20) if i != 4]
    peaked = [("c4", 25.0)] + [(key, 3.0 - i * 0.05) for i, key in enumerate(others)]
    assert keys(fuse(dense, peaked, ZSCORE))[0] == "c4"
    even = [("c4", 3.05)] + [(key, 3.0 - i * 0.05) for i, key in enumerate(others)]
    assert keys(fuse(dense, even, ZSCORE))[0] == "c0"


def test_a_dense_match_that_stands_out_beats_a_mild_bm25_preference() -> None:
    # A paraphrase: dense is sure of "p", BM25 mildly prefers word overlap elsewhere.
    dense = [("p", 0.80), ("a", 0.45), ("b", 0.44), ("c", 0.43), ("d", 0.42)]
    lexical = [("a", 6.0), ("b", 5.5), ("c", 5.0), ("d", 4.5), ("p", 4.0)]
    assert keys(fuse(dense, lexical, ZSCORE))[0] == "p"


def test_the_scale_and_offset_of_either_retrievers_scores_do_not_matter() -> None:
    lexical = [("c", 9.0), ("z", 4.0), ("a", 3.5), ("b", 1.0)]
    fused = keys(fuse(DENSE, lexical, ZSCORE))
    # Cosine similarity or 1 - distance, Lance's BM25 or Weaviate's: the same order.
    rescaled_dense = [(key, 1 - (1 - score) * 3) for key, score in DENSE]
    rescaled_text = [(key, score * 40 + 7) for key, score in lexical]
    assert keys(fuse(rescaled_dense, rescaled_text, ZSCORE)) == fused


def test_when_both_retrievers_agree_the_order_is_theirs() -> None:
    lexical = [(key, 10.0 - index) for index, (key, _) in enumerate(DENSE)]
    assert keys(fuse(DENSE, lexical, ZSCORE)) == keys(DENSE)


def test_a_candidate_one_retriever_missed_gets_that_retrievers_lowest_score() -> None:
    dense = [("a", 0.9), ("b", 0.5), ("c", 0.1)]
    lexical = [("b", 3.0), ("d", 1.0)]
    fused = dict(fuse(dense, lexical, Fusion(text_weight=1.0)))
    dense_z, dense_floor = standard_scores(dense)
    text_z, text_floor = standard_scores(lexical)
    assert fused["a"] == pytest.approx(dense_z["a"] + text_floor)
    assert fused["d"] == pytest.approx(dense_floor + text_z["d"])
    assert set(fused) == {"a", "b", "c", "d"}


def test_a_zero_text_weight_is_dense_alone() -> None:
    lexical = [("f", 30.0), ("e", 1.0), ("q", 0.5)]
    fused = keys(fuse(DENSE, lexical, Fusion(text_weight=0.0)))
    assert fused[: len(DENSE)] == keys(DENSE)


def test_rrf_adds_weighted_reciprocal_ranks_as_before() -> None:
    fused = dict(fuse(DENSE[:2], [("b", 9.0), ("z", 1.0)], RRF))
    assert fused["b"] == pytest.approx(1 / 62 + 0.5 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["z"] == pytest.approx(0.5 / 62)
    assert keys(fuse(DENSE[:2], [("b", 9.0), ("z", 1.0)], RRF)) == ["b", "a", "z"]


def test_each_method_has_its_own_default_text_weight() -> None:
    assert Fusion().method is FusionMethod.ZSCORE
    assert Fusion().text_weight == DEFAULT_TEXT_WEIGHT[FusionMethod.ZSCORE] == 0.3
    assert DEFAULT_TEXT_WEIGHT[FusionMethod.RRF] == 0.5
    assert "zscore" in Fusion().describe() and "k=60" in RRF.describe()


def test_the_settings_choose_the_method_and_an_unset_text_weight_follows_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert search_fusion(load_settings(data_dir=tmp_path)) == Fusion()
    monkeypatch.setenv("BEACON_SEARCH_FUSION", "rrf")
    assert search_fusion(load_settings(data_dir=tmp_path)) == RRF
    monkeypatch.setenv("BEACON_SEARCH_TEXT_WEIGHT", "0.8")
    monkeypatch.setenv("BEACON_SEARCH_RRF_K", "10")
    assert search_fusion(load_settings(data_dir=tmp_path)) == Fusion(
        FusionMethod.RRF, k=10, text_weight=0.8
    )


def test_an_unknown_fusion_method_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEACON_SEARCH_FUSION", "borda")
    with pytest.raises(SettingsError, match="BEACON_SEARCH_FUSION"):
        load_settings()
