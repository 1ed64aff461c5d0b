"""How much can fusing BM25 with dense vectors gain on a BEIR dev set? A replay, in one run.

    .venv/bin/python -m bench.hybrid_headroom [DATASET_DIR]

`beacon eval` measures the shipped search; this asks what any setting of the usual fusion
methods could reach with the same two retrievers. It encodes the passages with the
shipped embedder (exact cosine, as the store's exact search ranks them), indexes them in
LanceDB with the store's full-text configuration (BM25), takes each retriever's top 100
per query once, and then scores, without re-running anything:

- reciprocal-rank fusion over a grid of k, text weight and candidates per retriever;
- convex combinations of min-max-normalised scores;
- a second, feedback round: the query vector moved towards the fused top documents'
  vectors (Rocchio), searched again and fused with BM25 — and the same with the BM25 query
  expanded by the feedback documents' weightiest words (RM3-style).

It prints the best setting of each family, and the share of settings that reach the
`beacon eval` target (the better single retriever + 0.02 nDCG@10): a target met by a few
settings out of hundreds on 43 queries would be a fit to the dev set, not a method.
"""

import argparse
import asyncio
import itertools
import math
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from cli.eval_metrics import HYBRID_MARGIN, ndcg_at_k
from cli.evaluate import Dataset, read_dataset
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.retrieval.fusion import DEFAULT_TEXT_WEIGHT, Fusion, FusionMethod

DEV_SET = Path(__file__).resolve().parents[2] / "shared/data/eval/msmarco"
DEPTH = 100  # candidates kept per retriever and query
K = 10

Ranked = list[tuple[str, float]]  # (passage id, score), best first
STOP_WORDS = (  # English function words, left out of expansions
    "about above after again against also and any are because been before being below "
    "between both but can could did does doing down during each few for from further had "
    "has have having her here hers him his how into its itself just more most not now "
    "off once only other our out over own same she should some such than that the their "
    "them then there these they this those through too under until very was were what "
    "when where which while who whom why will with would you your"
)


def rrf(lists: Sequence[tuple[float, Sequence[str]]], k: int) -> list[str]:
    """Reciprocal-rank fusion of weighted rankings."""
    scores: dict[str, float] = {}
    for weight, ranking in lists:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    return sorted(scores, key=scores.__getitem__, reverse=True)


def convex(dense: Ranked, text: Ranked, alpha: float) -> list[str]:
    """alpha * dense + (1 - alpha) * BM25, each min-max normalised over its candidates."""

    def normalised(ranked: Ranked) -> dict[str, float]:
        if not ranked:
            return {}
        values = [score for _, score in ranked]
        low, span = min(values), (max(values) - min(values)) or 1.0
        return {doc: (score - low) / span for doc, score in ranked}

    d, t = normalised(dense), normalised(text)
    fused = {doc: alpha * d.get(doc, 0.0) + (1 - alpha) * t.get(doc, 0.0) for doc in d | t}
    return sorted(fused, key=fused.__getitem__, reverse=True)


class Replay:
    """Both retrievers' candidates for every query, and the vectors to search again."""

    def __init__(
        self, dataset: Dataset, vectors: np.ndarray, queries: np.ndarray, index: "TextIndex"
    ) -> None:
        self.dataset = dataset
        self.ids = [passage.id for passage in dataset.passages]
        self.row = {doc: i for i, doc in enumerate(self.ids)}
        self.vectors = vectors
        self.query_ids = list(dataset.queries)
        self.query_vectors = dict(zip(self.query_ids, queries, strict=True))
        self.dense = {q: self.nearest(self.query_vectors[q]) for q in self.query_ids}
        self.text = {q: index.search(dataset.queries[q]) for q in self.query_ids}

    def nearest(self, vector: np.ndarray) -> Ranked:
        scores = self.vectors @ vector
        top = np.argsort(-scores)[:DEPTH]
        return [(self.ids[i], float(scores[i])) for i in top]

    def ndcg(self, rank: Callable[[str], Sequence[str]]) -> float:
        return float(
            np.mean([ndcg_at_k(rank(q), self.dataset.qrels[q], K) for q in self.query_ids])
        )

    def feedback(self, query: str, first: Sequence[str], beta: float) -> Ranked:
        """Dense search again with the query moved towards the top fused documents."""
        centroid = self.vectors[[self.row[doc] for doc in first]].mean(axis=0)
        moved = self.query_vectors[query] + beta * centroid
        return self.nearest(moved / np.linalg.norm(moved))


class TextIndex:
    """The passages in LanceDB with the store's full-text configuration (BM25)."""

    def __init__(self, dataset: Dataset, folder: Path) -> None:
        # Imported here, where the replay indexes: the fusion formulas are unit-tested, and
        # the unit tier imports no LanceDB.
        import lancedb
        from lancedb.index import FTS

        self.table = lancedb.connect(folder).create_table(
            "passages",
            pa.table(
                {"id": [p.id for p in dataset.passages], "text": [p.text for p in dataset.passages]}
            ),
        )
        self.table.create_index("text", config=FTS())
        self._found: dict[str, Ranked] = {}

    def search(self, text: str) -> Ranked:
        """The top BM25 matches, remembered per query text (the grids repeat them)."""
        if text not in self._found:
            rows = self.table.search(text, query_type="fts").limit(DEPTH).to_list()
            self._found[text] = [(row["id"], float(row["_score"])) for row in rows]
        return self._found[text]


class Expansion:
    """RM3-style query expansion: the words that weigh most in the feedback passages
    (frequency in each passage x inverse document frequency), query words left out."""

    WORD = re.compile(r"[a-z]{3,}")
    STOP = frozenset(STOP_WORDS.split())

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        frequency: Counter[str] = Counter()
        for text in texts:
            frequency.update(set(self.words(text)))
        self.idf = {word: math.log(len(texts) / n) for word, n in frequency.items()}

    def words(self, text: str) -> list[str]:
        return [w for w in self.WORD.findall(text.lower()) if w not in self.STOP]

    def expand(self, query: str, feedback: Sequence[int], terms: int) -> str:
        asked = set(self.words(query))
        weights: dict[str, float] = {}
        for row in feedback:
            counts = Counter(self.words(self.texts[row]))
            total = sum(counts.values()) or 1
            for word, n in counts.items():
                if word not in asked:
                    weights[word] = weights.get(word, 0.0) + n / total * self.idf[word]
        best = sorted(weights, key=weights.__getitem__, reverse=True)[:terms]
        return " ".join([query, *best])


def ids(ranked: Ranked, depth: int) -> list[str]:
    return [doc for doc, _ in ranked[:depth]]


def report(name: str, results: dict[tuple[float, ...], float], needed: float) -> None:
    best = max(results, key=results.__getitem__)
    reaching = sum(score >= needed for score in results.values())
    print(
        f"{name:<34} best {results[best]:.4f} at {best}; "
        f"{reaching} of {len(results)} settings reach {needed:.4f}"
    )


async def run(folder: Path) -> None:
    dataset = read_dataset(folder)
    embedder = SentenceTransformerEmbedder()
    vectors = np.array(await embedder.embed([p.text for p in dataset.passages]))
    queries = np.array(await embedder.embed(list(dataset.queries.values())))
    await embedder.close()
    with tempfile.TemporaryDirectory(prefix="beacon-headroom-") as scratch:
        index = TextIndex(dataset, Path(scratch))
        replay = Replay(dataset, vectors, queries, index)
        expansion = Expansion([p.text for p in dataset.passages])
        compare(replay, index, expansion)


def compare(replay: Replay, index: TextIndex, expansion: Expansion) -> None:
    """Score the shipped fusion and every family's grid."""
    dataset = replay.dataset

    dense = replay.ndcg(lambda q: ids(replay.dense[q], K))
    text = replay.ndcg(lambda q: ids(replay.text[q], K))
    needed = max(dense, text) + HYBRID_MARGIN
    # The rank fusion this replay explores, at the weights it shipped with before zscore.
    shipped = Fusion(FusionMethod.RRF, text_weight=DEFAULT_TEXT_WEIGHT[FusionMethod.RRF])
    hybrid = replay.ndcg(
        lambda q: rrf(
            [
                (shipped.dense_weight, ids(replay.dense[q], shipped.candidates)),
                (shipped.text_weight, ids(replay.text[q], shipped.candidates)),
            ],
            shipped.k,
        )
    )
    print(f"{len(dataset.queries)} queries, {len(dataset.passages)} passages, nDCG@{K}")
    print(f"dense {dense:.4f}   BM25 {text:.4f}   former RRF {hybrid:.4f}   target {needed:.4f}")

    depths = (10, 20, 50, 100)

    def fused(q: str, k: int, w: float, n: int) -> list[str]:
        return rrf([(1.0, ids(replay.dense[q], n)), (w, ids(replay.text[q], n))], k)

    def combined(q: str, alpha: float, n: int) -> list[str]:
        return convex(replay.dense[q][:n], replay.text[q][:n], alpha)

    def feedback_documents(q: str, docs: int) -> list[str]:
        """The first round that both feedback families start from: the shipped k and
        text weight over each retriever's top 10."""
        return fused(q, shipped.k, shipped.text_weight, 10)[:docs]

    def fed_back(q: str, docs: int, beta: float, w: float, n: int) -> list[str]:
        first = feedback_documents(q, docs)
        return rrf(
            [(1.0, ids(replay.feedback(q, first, beta), n)), (w, ids(replay.text[q], n))], shipped.k
        )

    def grid(
        method: Callable[..., list[str]], *axes: Sequence[float]
    ) -> dict[tuple[float, ...], float]:
        return {
            setting: replay.ndcg(lambda q, s=setting: method(q, *s))  # type: ignore[misc]
            for setting in itertools.product(*axes)
        }

    def both_fed_back(q: str, docs: int, beta: float, terms: int, w: float, n: int) -> list[str]:
        first = feedback_documents(q, docs)
        expanded = expansion.expand(dataset.queries[q], [replay.row[d] for d in first], terms)
        return rrf(
            [(1.0, ids(replay.feedback(q, first, beta), n)), (w, ids(index.search(expanded), n))],
            shipped.k,
        )

    alphas = [round(float(a), 2) for a in np.arange(0.3, 0.96, 0.05)]
    report(
        "RRF (k, text weight, candidates)",
        grid(fused, (1, 10, 30, 60, 100), (0.2, 0.3, 0.5, 0.7, 1.0), depths),
        needed,
    )
    report("min-max convex (alpha, candidates)", grid(combined, alphas, depths), needed)
    report(
        "Rocchio feedback (docs, beta, w, n)",
        grid(fed_back, (3, 5, 10), (0.5, 1.0, 2.0), (0.3, 0.5, 1.0), (10, 20, 50)),
        needed,
    )
    report(
        "+ expanded BM25 (docs, beta, terms, w, n)",
        grid(both_fed_back, (3, 5, 10), (1.0, 2.0), (5, 10, 20), (0.3, 0.5, 1.0), (10, 20)),
        needed,
    )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DEV_SET)
    asyncio.run(run(parser.parse_args().dataset))


if __name__ == "__main__":
    main()
