"""Fusing one query's dense and BM25 rankings into one list.

The default, `zscore`, adds each retriever's scores in units of that retriever's own spread
for this query: over its candidates, a score becomes (score - mean) / standard deviation,
and a candidate the other retriever did not return gets that retriever's lowest standard
score. The weights therefore come from the two score distributions of each query: a
retriever whose best candidates stand out from the rest of its list (BM25 on an exact
code or name; dense on a paraphrase) moves them a long way, while a flat list (BM25 on
common words only) barely reorders the other. Scale and offset of the raw scores do not
matter, so BM25's unbounded scores and cosine similarities mix, on LanceDB and Weaviate
alike. The fixed text weight (0.3) only says how much one standard deviation of BM25 is
worth against one of dense.

`rrf` is the earlier reciprocal-rank fusion: ranks only, with weights tuned on the dev set,
which fell below dense alone on a set it was not tuned on (README, "Search and answers").
"""

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)
Ranked = Sequence[tuple[Key, float]]  # (candidate, score), best first; higher is better


class FusionMethod(StrEnum):
    """How hybrid search combines its two rankings."""

    ZSCORE = "zscore"
    RRF = "rrf"


# Per method, because one standard deviation and one reciprocal rank are different units.
DEFAULT_TEXT_WEIGHT = {FusionMethod.ZSCORE: 0.3, FusionMethod.RRF: 0.5}


@dataclass(frozen=True)
class Fusion:
    """The hybrid's settings: method, weights and candidates per retriever."""

    method: FusionMethod = FusionMethod.ZSCORE
    k: int = 60  # RRF's rank offset; unused by zscore
    dense_weight: float = 1.0
    text_weight: float = DEFAULT_TEXT_WEIGHT[FusionMethod.ZSCORE]
    candidates: int = 50  # per retriever, before fusion

    def describe(self) -> str:
        """The settings in one phrase, for reports."""
        offset = f" k={self.k}" if self.method is FusionMethod.RRF else ""
        return (
            f"{self.method.value}{offset} dense weight {self.dense_weight:g}, "
            f"text weight {self.text_weight:g}, {self.candidates} candidates"
        )


def fuse(dense: Ranked[Key], lexical: Ranked[Key], fusion: Fusion) -> list[tuple[Key, float]]:
    """Both retrievers' candidates as one ranking, best first (the caller fetched
    `fusion.candidates` from each, or more when it wants more results)."""
    if fusion.method is FusionMethod.RRF:
        return reciprocal_rank_fusion(
            dense, lexical, fusion.k, fusion.dense_weight, fusion.text_weight
        )
    return standard_score_fusion(dense, lexical, fusion.dense_weight, fusion.text_weight)


def standard_score_fusion(
    dense: Ranked[Key], lexical: Ranked[Key], dense_weight: float, text_weight: float
) -> list[tuple[Key, float]]:
    """Weighted sum of per-query standard scores; ties keep dense's order, then BM25's."""
    dense_z, dense_floor = standard_scores(dense)
    text_z, text_floor = standard_scores(lexical)
    fused = {
        key: dense_weight * dense_z.get(key, dense_floor)
        + text_weight * text_z.get(key, text_floor)
        for key in dense_z | text_z
    }
    # Python's sort is stable and the dict keeps dense's candidates first.
    return sorted(fused.items(), key=lambda item: item[1], reverse=True)


def standard_scores(ranked: Ranked[Key]) -> tuple[dict[Key, float], float]:
    """Each candidate's (score - mean) / standard deviation, and the lowest of them.

    A list that cannot tell its candidates apart (fewer than two, or all scores equal)
    gives every candidate 0 and floor 0: it then adds nothing to the order.
    """
    scores = [score for _, score in ranked]
    if len(scores) < 2:
        return {key: 0.0 for key, _ in ranked}, 0.0
    mean = math.fsum(scores) / len(scores)
    spread = math.sqrt(math.fsum((score - mean) ** 2 for score in scores) / len(scores))
    if spread <= 1e-12 * max(1.0, abs(mean)):
        return {key: 0.0 for key, _ in ranked}, 0.0
    standard = {key: (score - mean) / spread for key, score in ranked}
    return standard, min(standard.values())


def reciprocal_rank_fusion(
    dense: Ranked[Key], lexical: Ranked[Key], k: int, dense_weight: float, text_weight: float
) -> list[tuple[Key, float]]:
    """score = sum over the two lists of weight / (k + rank)."""
    fused: dict[Key, float] = {}
    for weight, ranked in ((dense_weight, dense), (text_weight, lexical)):
        for rank, (key, _) in enumerate(ranked, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda item: item[1], reverse=True)
