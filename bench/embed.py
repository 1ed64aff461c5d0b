"""The ONNX embedder against torch fp32, speed and quality in one run.

    .venv/bin/python -m bench.embed [--texts 256] [--rounds 3] [--docs 1000] [--dataset DIR]

Throughput: the same MS MARCO passages (the first `--texts` of ../shared/data/eval/msmarco)
go through each backend's `embed`, the batcher included (model threads merging calls, one
intra-op thread each, as Beacon runs them), in interleaved rounds whose order rotates, so
that the 2 shared cores' noise falls on every backend alike. Each round's texts/s is divided
by torch's in the same round; the median and the range of those ratios are printed (target:
int8 ONNX >= 2.5x). One more configuration runs int8 with a single model thread on two
onnxruntime threads, to compare onnxruntime's own threading with the batcher's.

Quality: nDCG@10 dense-only on the dev set, per backend: every passage (title, blank line,
text, as `beacon eval` uploads it) is encoded whole and ranked by exact cosine similarity
to each query. That is `beacon eval`'s dense mode without its chunker and vector index, so
the figures are for comparing backends (target: int8 loses <= 0.01). `--docs` takes the
first N passages (judgements restricted to them): 1000 of the 5000 by default, to keep the
run within minutes on 2 shared cores (torch alone encodes the 5000 in ~1-10 minutes there,
depending on what else runs); `--docs 5000` scores the whole set.
"""

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cli.eval_metrics import ndcg_at_k
from cli.evaluate import Dataset, read_dataset
from domain.retrieval.embedding import BatchingEmbedder, SentenceTransformerEmbedder
from domain.retrieval.onnx_embedding import OnnxEmbedder

DATASET = Path(__file__).resolve().parents[2] / "shared/data/eval/msmarco"
SPEED_TARGET = 2.5
NDCG_LOSS_LIMIT = 0.01
K = 10


@dataclass(frozen=True)
class Backend:
    label: str
    embedder: BatchingEmbedder
    quality: bool  # also scored on the dev set (the 2-ORT-thread variant computes int8's vectors)


def backends() -> list[Backend]:
    cores = len(os.sched_getaffinity(0))
    return [
        Backend("torch fp32", SentenceTransformerEmbedder(), True),
        Backend("onnx fp32", OnnxEmbedder("fp32"), True),
        Backend("onnx int8", OnnxEmbedder("int8"), True),
        Backend(
            f"onnx int8, 1 thread x {cores} ort",
            OnnxEmbedder("int8", threads=1, intra_op_threads=cores),
            False,
        ),
    ]


@dataclass
class Rates:
    wall: list[float]  # texts per second
    cpu: list[float]  # texts per CPU-second of this process (every thread)


async def throughput(backends: list[Backend], texts: list[str], rounds: int) -> dict[str, Rates]:
    """Texts per second and per CPU-second of each backend, per round, in a rotating order.
    Per CPU-second is what the model costs; per second also counts the cores that the
    machine's other work took meanwhile."""
    for backend in backends:  # warm: sessions built, first calls' allocations done
        await backend.embedder.embed(texts[:64])
    rates = {backend.label: Rates([], []) for backend in backends}
    for number in range(rounds):
        shift = number % len(backends)
        for backend in backends[shift:] + backends[:shift]:
            started, cpu = time.perf_counter(), time.process_time()
            await backend.embedder.embed(texts)
            rates[backend.label].wall.append(len(texts) / (time.perf_counter() - started))
            rates[backend.label].cpu.append(len(texts) / (time.process_time() - cpu))
        print(
            f"round {number + 1}: "
            + ", ".join(f"{label} {r.wall[-1]:.0f}/s" for label, r in rates.items()),
            flush=True,
        )
    return rates


async def dense_ndcg(embedder: BatchingEmbedder, dataset: Dataset) -> float:
    """Mean nDCG@10 of exact-cosine dense retrieval over whole passages."""
    passages = np.array(await embedder.embed([p.text for p in dataset.passages]))
    ids = [passage.id for passage in dataset.passages]
    query_ids = list(dataset.queries)
    # One query at a time, as searches embed them: int8 vectors depend a little on the
    # texts they share a call with (dynamic quantisation scales by the call's range).
    queries = np.array([(await embedder.embed([dataset.queries[q]]))[0] for q in query_ids])
    scores = queries @ passages.T
    total = 0.0
    for row, query_id in enumerate(query_ids):
        top = np.argsort(-scores[row], kind="stable")[:K]
        total += ndcg_at_k([ids[i] for i in top], dataset.qrels[query_id], K)
    return total / len(query_ids)


async def main(args: argparse.Namespace) -> None:
    dataset = read_dataset(args.dataset, limit_docs=args.docs)
    texts = [passage.text for passage in dataset.passages[: args.texts]]
    chosen = backends()
    print(f"{len(os.sched_getaffinity(0))} cores; loading (and exporting if needed) ...")
    for backend in chosen:
        await backend.embedder.start()
    try:
        print(f"throughput: {len(texts)} passages x {args.rounds} rounds, through embed()")
        rates = await throughput(chosen, texts, args.rounds)
        torch_rates = rates[chosen[0].label]
        print()
        speed: dict[str, float] = {}
        for backend in chosen:
            own = rates[backend.label]
            wall = [r / t for r, t in zip(own.wall, torch_rates.wall, strict=True)]
            cpu = [r / t for r, t in zip(own.cpu, torch_rates.cpu, strict=True)]
            speed[backend.label] = statistics.median(wall)
            print(
                f"{backend.label:<28} {statistics.median(own.wall):6.1f} texts/s,"
                f" x torch fp32: median {statistics.median(wall):.2f}"
                f" (rounds {min(wall):.2f}-{max(wall):.2f});"
                f" per CPU-second {statistics.median(cpu):.2f}"
                f" ({min(cpu):.2f}-{max(cpu):.2f})"
            )
        print(
            f"\nnDCG@{K} dense-only, {len(dataset.passages)} passages, "
            f"{len(dataset.queries)} queries"
        )
        ndcg: dict[str, float] = {}
        for backend in chosen:
            if backend.quality:
                started = time.perf_counter()
                ndcg[backend.label] = await dense_ndcg(backend.embedder, dataset)
                print(
                    f"{backend.label:<28} {ndcg[backend.label]:.4f}"
                    f"  ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    finally:
        for backend in chosen:
            await backend.embedder.close()
    int8 = "onnx int8"
    loss = ndcg[chosen[0].label] - ndcg[int8]
    print(
        f"\nint8 ONNX: {speed[int8]:.2f}x torch fp32 (target >= {SPEED_TARGET}), nDCG@{K} "
        f"{-loss:+.4f} (target >= -{NDCG_LOSS_LIMIT}): "
        + ("both met" if speed[int8] >= SPEED_TARGET and loss <= NDCG_LOSS_LIMIT else "NOT met")
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=256, help="passages per throughput round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--docs", type=int, default=1000, help="first N passages for nDCG")
    parser.add_argument("--dataset", type=Path, default=DATASET, help="a BEIR folder")
    asyncio.run(main(parser.parse_args()))
