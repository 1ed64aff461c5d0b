"""Retrieval metrics and the report table for `beacon eval`: pure functions, unit-tested."""

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.retrieval.search import SearchMode

RELEVANT_GRADE = 1  # qrels grade from which a passage counts as relevant (recall, MRR)
HYBRID_MARGIN = 0.02  # nDCG gain hybrid must show over the better single retriever
MODES = (SearchMode.HYBRID, SearchMode.BM25, SearchMode.DENSE)


def unique_ranking(ids: Iterable[str]) -> list[str]:
    """The ids in order with repeats dropped: a document's first (best) occurrence wins."""
    return list(dict.fromkeys(ids))


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain: the gain at rank r (from 1) is divided by log2(r + 1)."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """DCG of the top `k` over the ideal DCG from the judgements; 0.0 with nothing relevant.

    Gains are the qrels grades themselves (linear gain, as trec_eval and BEIR use).
    """
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([max(grades.get(doc, 0), 0) for doc in ranking[:k]]) / ideal


def recall_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """Share of the relevant passages found in the top `k`; 0.0 with nothing relevant."""
    relevant = {doc for doc, grade in grades.items() if grade >= RELEVANT_GRADE}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def reciprocal_rank_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """1 / rank of the first relevant passage within the top `k`, else 0.0."""
    for rank, doc in enumerate(ranking[:k], start=1):
        if grades.get(doc, 0) >= RELEVANT_GRADE:
            return 1.0 / rank
    return 0.0


def percentile(values: Sequence[float], percent: float) -> float:
    """The `percent`-th percentile, interpolating linearly between ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= percent <= 100:
        raise ValueError("percent must be within [0, 100]")
    ordered = sorted(values)
    position = (len(ordered) - 1) * percent / 100
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True)
class ModeReport:
    """One retriever's averages over the evaluated queries."""

    mode: str
    ndcg: float
    recall: float
    mrr: float
    p50_ms: float
    p95_ms: float


def score_mode(
    mode: str,
    rankings: Mapping[str, Sequence[str]],
    qrels: Mapping[str, Mapping[str, int]],
    latencies_ms: Sequence[float],
    k: int,
) -> ModeReport:
    """Average the per-query metrics of one mode (queries without a ranking score 0)."""
    queries = list(qrels)
    if not queries:
        raise ValueError("no judged queries to score")

    def mean(metric: Callable[[Sequence[str], Mapping[str, int], int], float]) -> float:
        return statistics.fmean(metric(rankings.get(q, []), qrels[q], k) for q in queries)

    return ModeReport(
        mode=mode,
        ndcg=mean(ndcg_at_k),
        recall=mean(recall_at_k),
        mrr=mean(reciprocal_rank_at_k),
        p50_ms=percentile(latencies_ms, 50),
        p95_ms=percentile(latencies_ms, 95),
    )


@dataclass(frozen=True)
class Verdict:
    """Whether hybrid search earns its extra retriever."""

    passed: bool
    hybrid: float
    best_single: str
    best_single_ndcg: float
    margin: float

    def describe(self, k: int) -> str:
        """One line for the report."""
        target = self.best_single_ndcg + self.margin
        answer = "YES" if self.passed else "NO"
        return (
            f"hybrid >= better single mode + {self.margin:.2f} nDCG@{k}: {answer} "
            f"(hybrid {self.hybrid:.4f}, {self.best_single} {self.best_single_ndcg:.4f}, "
            f"needed {target:.4f})"
        )


def hybrid_verdict(reports: Sequence[ModeReport], margin: float = HYBRID_MARGIN) -> Verdict:
    """Compare hybrid's nDCG with the better of the single retrievers plus `margin`."""
    by_mode = {report.mode: report for report in reports}
    hybrid = by_mode[SearchMode.HYBRID.value].ndcg
    singles = [by_mode[mode.value] for mode in (SearchMode.BM25, SearchMode.DENSE)]
    best = max(singles, key=lambda report: report.ndcg)
    # A tiny epsilon keeps float noise in the sums from flipping an exact tie.
    passed = hybrid + 1e-12 >= best.ndcg + margin
    return Verdict(passed, hybrid, best.mode, best.ndcg, margin)


def format_table(reports: Sequence[ModeReport], k: int) -> str:
    """The results as a fixed-width table, one row per mode."""
    header = (
        f"{'mode':<8}{f'nDCG@{k}':>10}{f'recall@{k}':>12}{f'MRR@{k}':>10}"
        f"{'p50 ms':>10}{'p95 ms':>10}"
    )
    rows = [
        f"{r.mode:<8}{r.ndcg:>10.4f}{r.recall:>12.4f}{r.mrr:>10.4f}{r.p50_ms:>10.1f}{r.p95_ms:>10.1f}"
        for r in reports
    ]
    return "\n".join([header, *rows])


# --- the dataset -----------------------------------------------------------------------
