"""Timing, exact top-k and recall: what every runner measures with, and how many times."""

import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from bench.query.corpus import Corpus

T = TypeVar("T")
TOP_K = 10
QUESTIONS = 20  # answers per figure


def percentiles_ms(seconds: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds (linear interpolation, as numpy)."""
    values = np.array(seconds) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


async def timed(call: Callable[[T], Awaitable[object]], inputs: Sequence[T]) -> list[float]:
    """Each call's own duration, one after another (latency, not throughput)."""
    durations = []
    for value in inputs:
        started = time.perf_counter()
        await call(value)
        durations.append(time.perf_counter() - started)
    return durations


def top_k(scores: np.ndarray[Any, np.dtype[np.float32]]) -> np.ndarray[Any, Any]:
    """Indexes of the `TOP_K` highest scores, best first."""
    top = np.argpartition(-scores, TOP_K)[:TOP_K]
    ranked: np.ndarray[Any, Any] = top[np.argsort(-scores[top])]
    return ranked


def visible_mask(corpus: Corpus, organization: int, owner_code: int) -> np.ndarray[Any, Any]:
    """The access rule in numpy: the organisation's ORGANIZATION rows and the owner's own."""
    mask: np.ndarray[Any, Any] = (corpus.organizations == organization) & (
        ~corpus.private | (corpus.owner_codes == owner_code)
    )
    return mask


def recall_at_k(found: Sequence[list[uuid.UUID]], exact: Sequence[set[uuid.UUID]]) -> float:
    """Mean share of each query's exact top-k that the store returned."""
    return statistics.fmean(
        len(set(got) & want) / TOP_K for got, want in zip(found, exact, strict=True)
    )
