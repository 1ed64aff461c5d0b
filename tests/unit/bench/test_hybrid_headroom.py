"""The fusion methods the headroom replay compares."""

from bench.hybrid_headroom import Expansion, convex, rrf


def test_rrf_ranks_a_document_both_lists_agree_on_first() -> None:
    fused = rrf([(1.0, ["a", "b", "c"]), (0.5, ["c", "b", "d"])], k=60)
    assert fused[0] == "b"
    assert set(fused) == {"a", "b", "c", "d"}


def test_rrf_weights_decide_between_two_firsts() -> None:
    assert rrf([(1.0, ["a"]), (0.5, ["b"])], k=60) == ["a", "b"]
    assert rrf([(0.5, ["a"]), (1.0, ["b"])], k=60) == ["b", "a"]


def test_convex_normalises_each_retriever_before_mixing() -> None:
    dense = [("a", 0.9), ("b", 0.8)]
    text = [("b", 30.0), ("c", 10.0)]
    # Normalised, a is dense's 1 and b is BM25's 1: alpha decides; c is 0 on both sides.
    assert convex(dense, text, alpha=0.6)[:2] == ["a", "b"]
    assert convex(dense, text, alpha=0.4)[0] == "b"
    assert convex(dense, text, alpha=0.5)[-1] == "c"


def test_expansion_adds_the_feedback_passages_rarer_words_but_not_the_querys() -> None:
    expansion = Expansion(
        ["receipts are needed for travel claims", "travel is booked online", "travel policy"]
    )
    expanded = expansion.expand("travel expenses", feedback=[0], terms=2)
    assert expanded.startswith("travel expenses ")
    added = expanded.split()[2:]
    assert len(added) == 2
    assert "travel" not in added and "are" not in added  # a query word, a stop word
    assert set(added) <= {"receipts", "needed", "claims"}
