"""Does hybrid fusion hold on data it was not tuned on? Dev-set folds and another set, one run.

    .venv/bin/python -m bench.fusion [--dev DIR] [--lee GENSIM_WHEEL] [--folds 5]

For each set it encodes the passages with the shipped embedder (exact cosine, as the store's
exact search ranks them; the vectors are cached in `--cache`, since encoding on two busy
cores takes minutes and the fusion itself takes milliseconds), indexes them in LanceDB with
the store's own full-text configuration (BM25, Beacon's stop words), takes each retriever's
top 100 per query once, and scores nDCG@10 of:

- dense and BM25 alone;
- the old hybrid: reciprocal-rank fusion, k=60, dense weight 1, text weight 0.5, 50
  candidates each (the setting tuned on the whole dev set);
- the new hybrid, `domain.retrieval.fusion.fuse` with its shipped defaults;
- each hybrid with its one weight re-tuned on the other folds only (the fair reading of
  "tuned on k-1 folds, evaluated on the rest").

Sets:

- the dev set (`../shared/data/eval/msmarco`, 5,000 MS MARCO passages), split into
  `--folds` folds of queries (fixed seed): each fold is scored by settings that never saw it;
- the Lee corpus (Lee, Pincombe & Welsh 2005: 50 news articles with every pair rated for
  similarity by about ten people, and 300 more articles from the same source), as shipped
  in the gensim wheel's test data (`pip download --no-deps gensim==4.4.0`): each rated
  article is a query, its rated neighbours are the judgements (mean rating >= 0.6 of the
  scale: relevant, >= 0.8: grade 2), the 300 background articles are unjudged
  distractors, and the query's own article is left out of its ranking. Long queries, news
  text, no MS MARCO: nothing here was tuned on it, and MiniLM was not trained on it.

"Noise" is printed beside every difference: the standard error of the per-query paired
difference (new hybrid minus the better single retriever) over the set's queries.
"""

import argparse
import asyncio
import hashlib
import random
import statistics
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from cli.eval_metrics import ndcg_at_k
from cli.evaluate import Passage, read_dataset
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.retrieval.fusion import DEFAULT_TEXT_WEIGHT, Fusion, FusionMethod, fuse

DEV_SET = Path(__file__).resolve().parents[2] / "shared/data/eval/msmarco"
CACHE = Path(tempfile.gettempdir()) / "beacon-bench-fusion"
DEPTH = 100  # candidates kept per retriever and query
K = 10
SEED = 19
LEE_FILES = "gensim/test/test_data/"
LEE_RELEVANT, LEE_HIGHLY = 0.6, 0.8  # mean rating on the 0.2-1.0 scale (1-5 points)
OLD = Fusion(FusionMethod.RRF, text_weight=DEFAULT_TEXT_WEIGHT[FusionMethod.RRF])
NEW = Fusion()
TEXT_WEIGHTS = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0)

Ranked = list[tuple[str, float]]  # (passage id, score), best first


@dataclass(frozen=True)
class RetrievalSet:
    """Passages, queries (id -> text), graded judgements, and per query the passage ids
    that must not be ranked for it (the Lee query's own article)."""

    name: str
    passages: list[Passage]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    excluded: dict[str, str]


def dev_set(folder: Path, limit_docs: int | None = None) -> RetrievalSet:
    dataset = read_dataset(folder, limit_docs)
    name = "dev (MS MARCO)" if limit_docs is None else f"dev, {len(dataset.passages)} p"
    return RetrievalSet(name, dataset.passages, dataset.queries, dataset.qrels, {})


def lee_set(wheel: Path) -> RetrievalSet:
    """The Lee similarity corpus from the gensim wheel's test data, as a retrieval set."""
    with zipfile.ZipFile(wheel) as archive:

        def lines(name: str) -> list[str]:
            text = archive.read(LEE_FILES + name).decode("latin-1")
            return [line.strip() for line in text.splitlines() if line.strip()]

        rated, background = lines("lee.cor"), lines("lee_background.cor")
        ratings = [[float(x) for x in row.split()] for row in lines("similarities0-1.txt")]
    passages = [Passage(f"lee{i}", text) for i, text in enumerate(rated)]
    passages += [Passage(f"bg{i}", text) for i, text in enumerate(background)]
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for i, text in enumerate(rated):
        grades: dict[str, int] = {}
        for j in range(len(rated)):
            if i != j:
                # The file holds the upper triangle; the lower one is zeros.
                rating = max(ratings[i][j], ratings[j][i])
                grade = 2 if rating >= LEE_HIGHLY else 1 if rating >= LEE_RELEVANT else 0
                if grade:
                    grades[f"lee{j}"] = grade
        if grades:
            queries[f"lee{i}"] = text
            qrels[f"lee{i}"] = grades
    return RetrievalSet("Lee (gensim)", passages, queries, qrels, {q: q for q in queries})


async def cached_vectors(texts: Sequence[str], cache: Path) -> np.ndarray:
    """The shipped embedder's vectors for `texts`, from `cache` when encoded before."""
    embedder = SentenceTransformerEmbedder()
    key = hashlib.sha256("\n\x00".join([embedder.name, *texts]).encode()).hexdigest()[:24]
    path = cache / f"{key}.npy"
    if path.exists():
        return np.load(path)
    await embedder.start()
    try:
        vectors = np.array(await embedder.embed(list(texts)), dtype=np.float32)
    finally:
        await embedder.close()
    await asyncio.to_thread(cache.mkdir, parents=True, exist_ok=True)
    await asyncio.to_thread(np.save, path, vectors)
    return vectors


@dataclass
class Runs:
    """Each retriever's top `DEPTH` for every query of one set."""

    data: RetrievalSet
    dense: dict[str, Ranked]
    text: dict[str, Ranked]

    def ndcg(self, rank: Callable[[str], Sequence[str]], queries: Sequence[str]) -> list[float]:
        return [ndcg_at_k(rank(q), self.data.qrels[q], K) for q in queries]


async def retrieve(data: RetrievalSet, cache: Path, echo: Callable[[str], None]) -> Runs:
    texts = [p.text for p in data.passages]
    echo(f"{data.name}: encoding {len(texts)} passages and {len(data.queries)} queries")
    vectors = await cached_vectors(texts, cache)
    queries = await cached_vectors(list(data.queries.values()), cache)
    ids = [p.id for p in data.passages]
    dense: dict[str, Ranked] = {}
    for query_id, vector in zip(data.queries, queries, strict=True):
        scores = vectors @ vector
        top = [i for i in np.argsort(-scores) if ids[i] != data.excluded.get(query_id)]
        dense[query_id] = [(ids[i], float(scores[i])) for i in top[:DEPTH]]
    # Imported here, where the replay indexes: the Lee set and the folds are unit-tested, and the
    # unit tier imports no LanceDB.
    import lancedb
    from lancedb.index import FTS

    from domain.retrieval.vectorstores.lance_table import TEXT_INDEX_STOP_WORDS

    with tempfile.TemporaryDirectory(prefix="beacon-fusion-") as scratch:
        table = lancedb.connect(scratch).create_table(
            "passages", pa.table({"id": ids, "text": texts})
        )
        table.create_index("text", config=FTS(custom_stop_words=TEXT_INDEX_STOP_WORDS))
        text: dict[str, Ranked] = {}
        for query_id, query in data.queries.items():
            rows = table.search(query, query_type="fts").limit(DEPTH + 1).to_list()
            found = [(r["id"], float(r["_score"])) for r in rows]
            text[query_id] = [hit for hit in found if hit[0] != data.excluded.get(query_id)][:DEPTH]
    return Runs(data, dense, text)


def ranking(runs: Runs, fusion: Fusion) -> Callable[[str], list[str]]:
    """The fused ranking of a query, from each retriever's first `fusion.candidates`."""

    def rank(q: str) -> list[str]:
        n = fusion.candidates
        return [doc for doc, _ in fuse(runs.dense[q][:n], runs.text[q][:n], fusion)]

    return rank


def tuned(runs: Runs, base: Fusion, queries: Sequence[str]) -> Fusion:
    """`base` with the text weight that scores best on `queries` (ties: the first)."""
    best, best_score = base, -1.0
    for weight in TEXT_WEIGHTS:
        candidate = replace(base, text_weight=weight)
        value = statistics.fmean(runs.ndcg(ranking(runs, candidate), queries))
        if value > best_score:
            best, best_score = candidate, value
    return best


@dataclass(frozen=True)
class Scores:
    """Per-query nDCG@10 of every method on one group of queries."""

    dense: list[float]
    bm25: list[float]
    old: list[float]
    new: list[float]
    old_tuned: list[float]
    new_tuned: list[float]

    def means(self) -> dict[str, float]:
        return {name: statistics.fmean(values) for name, values in self.__dict__.items()}

    def margin(self) -> tuple[float, float]:
        """New hybrid minus the better single retriever (on these queries), and the
        standard error of that paired difference."""
        better = (
            self.dense if statistics.fmean(self.dense) >= statistics.fmean(self.bm25) else self.bm25
        )
        differences = [n - b for n, b in zip(self.new, better, strict=True)]
        spread = (
            statistics.stdev(differences) / len(differences) ** 0.5 if len(differences) > 1 else 0.0
        )
        return statistics.fmean(differences), spread


def score(
    runs: Runs, queries: Sequence[str], tuning: Runs, tuning_queries: Sequence[str]
) -> Scores:
    """Every method on `queries`; the tuned variants were tuned on `tuning_queries` only."""
    return Scores(
        dense=runs.ndcg(lambda q: [d for d, _ in runs.dense[q]], queries),
        bm25=runs.ndcg(lambda q: [d for d, _ in runs.text[q]], queries),
        old=runs.ndcg(ranking(runs, OLD), queries),
        new=runs.ndcg(ranking(runs, NEW), queries),
        old_tuned=runs.ndcg(ranking(runs, tuned(tuning, OLD, tuning_queries)), queries),
        new_tuned=runs.ndcg(ranking(runs, tuned(tuning, NEW, tuning_queries)), queries),
    )


def folds(queries: Sequence[str], count: int) -> list[list[str]]:
    shuffled = list(queries)
    random.Random(SEED).shuffle(shuffled)
    return [shuffled[i::count] for i in range(count)]


COLUMNS = ("dense", "bm25", "old", "new", "old_tuned", "new_tuned")
HEADER = (
    f"{'':<22}{'dense':>8}{'BM25':>8}{'old hyb':>9}{'new hyb':>9}"
    f"{'old tuned':>11}{'new tuned':>11}{'new - better single':>24}"
)


def row(name: str, scores: Scores) -> str:
    means = scores.means()
    margin, spread = scores.margin()
    cells = "".join(
        f"{means[c]:>{w}.4f}" for c, w in zip(COLUMNS, (8, 8, 9, 9, 11, 11), strict=True)
    )
    return f"{name:<22}{cells}{margin:>+15.4f} ± {spread:.4f}"


def report(dev: Runs, other: Runs | None, fold_count: int) -> str:
    lines = [
        f"nDCG@{K}. old hybrid = RRF k=60, text weight 0.5, 50 candidates (tuned on the whole "
        f"dev set); new hybrid = {NEW.describe()}; 'tuned' = text weight re-tuned on the "
        f"other folds only, from {TEXT_WEIGHTS}. ± = standard error of the paired per-query "
        "difference.",
        HEADER,
    ]
    queries = list(dev.data.queries)
    per_fold: list[Scores] = []
    for index, held_out in enumerate(folds(queries, fold_count), start=1):
        tuning = [q for q in queries if q not in held_out]
        scores = score(dev, held_out, dev, tuning)
        per_fold.append(scores)
        lines.append(row(f"dev fold {index} ({len(held_out)} q)", scores))
    for column in COLUMNS:
        values = [s.means()[column] for s in per_fold]
        per_fold_summary = f"{statistics.fmean(values):.4f} ± {statistics.stdev(values):.4f}"
        lines.append(f"  folds, {column:<10} mean ± sd over folds: {per_fold_summary}")
    lines.append(row(f"dev, all ({len(queries)} q)", score(dev, queries, dev, queries)))
    if other is not None:
        # Nothing is tuned on the other set: the tuned variants use the whole dev set.
        others = list(other.data.queries)
        lines.append(
            row(f"{other.data.name} ({len(others)} q)", score(other, others, dev, queries))
        )
    return "\n".join(lines)


def sweep(runs: Runs) -> list[str]:
    """Each method at every text weight: nDCG@10 minus dense's, ± its paired standard error.
    A fusion that holds on unseen data should not need its weight to be just right."""
    queries = list(runs.data.queries)
    dense = runs.ndcg(lambda q: [d for d, _ in runs.dense[q]], queries)
    lines = []
    for base in (OLD, NEW):
        cells = []
        for weight in TEXT_WEIGHTS:
            fused = runs.ndcg(ranking(runs, replace(base, text_weight=weight)), queries)
            differences = [f - d for f, d in zip(fused, dense, strict=True)]
            error = statistics.stdev(differences) / len(differences) ** 0.5
            cells.append(f"{weight:g}: {statistics.fmean(differences):+.3f}±{error:.3f}")
        lines.append(
            f"  {runs.data.name}, {base.method.value:<6} - dense by text weight: "
            + "  ".join(cells)
        )
    return lines


async def run(dev_folder: Path, lee: Path | None, fold_count: int, cache: Path) -> None:
    def echo(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    dev = await retrieve(dev_set(dev_folder), cache, echo)
    other = await retrieve(lee_set(lee), cache, echo) if lee is not None else None
    print(report(dev, other, fold_count))
    for runs in (dev, other):
        if runs is not None:
            print("\n".join(sweep(runs)))


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("--lee", type=Path, help="the gensim wheel holding the Lee corpus")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    asyncio.run(run(args.dev, args.lee, args.folds, args.cache))


if __name__ == "__main__":
    main()
