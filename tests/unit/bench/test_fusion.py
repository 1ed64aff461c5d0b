"""The fusion replay's second set (Lee, from a gensim wheel) and its held-out folds."""

import zipfile
from pathlib import Path

from bench.fusion import LEE_FILES, folds, lee_set


def fake_wheel(path: Path) -> Path:
    # Three rated articles; the file holds the upper triangle of the mean ratings.
    ratings = "1\t0.9\t0.3\n0\t1\t0.6\n0\t0\t1\n"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(LEE_FILES + "lee.cor", "first article\nsecond article\nthird article\n")
        wheel.writestr(LEE_FILES + "lee_background.cor", "background one\nbackground two\n")
        wheel.writestr(LEE_FILES + "similarities0-1.txt", ratings)
    return path


def test_lee_articles_are_queries_judged_by_their_rated_neighbours(tmp_path: Path) -> None:
    data = lee_set(fake_wheel(tmp_path / "gensim.whl"))
    assert [p.id for p in data.passages] == ["lee0", "lee1", "lee2", "bg0", "bg1"]
    # 0.9 is highly relevant (2), 0.6 relevant (1), 0.3 not; both directions count.
    assert data.qrels == {
        "lee0": {"lee1": 2},
        "lee1": {"lee0": 2, "lee2": 1},
        "lee2": {"lee1": 1},
    }
    assert data.queries["lee1"] == "second article"
    assert data.excluded == {"lee0": "lee0", "lee1": "lee1", "lee2": "lee2"}


def test_folds_split_every_query_into_exactly_one_fold() -> None:
    queries = [f"q{i}" for i in range(43)]
    split = folds(queries, 5)
    assert sorted(q for fold in split for q in fold) == sorted(queries)
    assert sorted(len(fold) for fold in split) == [8, 8, 9, 9, 9]
    assert folds(queries, 5) == split  # a fixed seed: the same folds every run
