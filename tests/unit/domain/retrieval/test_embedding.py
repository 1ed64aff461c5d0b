"""How the embedder groups texts into model calls."""

from domain.retrieval.embedding import length_groups


def test_every_text_lands_in_exactly_one_group() -> None:
    texts = ["a" * n for n in (5, 300, 7, 6, 290, 40)]

    groups = length_groups(texts, max_size=64)

    assert sorted(i for group in groups for i in group) == list(range(len(texts)))


def test_short_and_long_texts_never_share_a_call() -> None:
    texts = ["short one", "x" * 1000, "short two", "y" * 990]

    groups = length_groups(texts, max_size=64)

    assert sorted(sorted(group) for group in groups) == [[0, 2], [1, 3]]


def test_a_group_never_exceeds_the_batch_size() -> None:
    texts = ["same length"] * 10

    groups = length_groups(texts, max_size=4)

    assert sorted(len(group) for group in groups) == [2, 4, 4]


def test_no_texts_make_no_groups() -> None:
    assert length_groups([], max_size=8) == []


def test_short_texts_of_different_lengths_share_a_call_rather_than_pay_one_each() -> None:
    texts = ["a" * n for n in (120, 200, 260, 340, 400)]

    groups = length_groups(texts, max_size=64)

    assert groups == [[0, 1, 2, 3, 4]]


def test_a_long_text_gets_its_own_call_rather_than_pad_many_short_ones() -> None:
    texts = ["a" * 100] * 20 + ["b" * 1200]

    groups = length_groups(texts, max_size=64)

    assert groups == [list(range(20)), [20]]


def test_a_backend_with_cheap_calls_pads_less_rather_than_share_a_call() -> None:
    texts = ["a" * n for n in (120, 200, 260, 340, 400)]

    groups = length_groups(texts, max_size=64, call_cost=30)

    assert len(groups) > 1
    assert sorted(i for group in groups for i in group) == list(range(len(texts)))
