"""Query latency (see the package's docstring): `python -m bench.query --help`."""

import argparse
import asyncio
import logging
import os
import sys

import bench.query
from bench.query.reports import progress, summary
from bench.query.sizes import measure_size
from bench.query.weaviate_half import choose_weaviate
from domain.retrieval.embedding import SentenceTransformerEmbedder


async def run(args: argparse.Namespace) -> int:
    """Measure each size in turn with one embedder, then print the summary."""
    weaviate, weaviate_line = await choose_weaviate(args.weaviate)
    progress(f"Weaviate: {weaviate_line}")
    embedder = SentenceTransformerEmbedder()
    await embedder.start()
    try:
        reports = []
        for chunks in args.chunks:
            reports.append(
                await measure_size(chunks, args.queries, args.sockets, embedder, weaviate)
            )
    finally:
        await embedder.close()
    text, all_met = summary(reports, args.queries, weaviate_line)
    print(text)
    return 1 if args.strict and not all_met else 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.query", description=(bench.query.__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--chunks", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200, help="queries per latency figure")
    parser.add_argument("--sockets", type=int, default=100, help="concurrent answer streams")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--weaviate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also measure Weaviate (BEACON_WEAVIATE_URL, _API_KEY, _GRPC_PORT); "
        "default: on when BEACON_WEAVIATE_URL is set, skipped if it fails a probe",
    )
    args = parser.parse_args(argv)
    if args.weaviate and not os.environ.get("BEACON_WEAVIATE_URL"):
        parser.error("--weaviate needs BEACON_WEAVIATE_URL (and BEACON_WEAVIATE_API_KEY, ...)")
    if any(not 100 <= n <= 1_000_000 for n in args.chunks):
        parser.error("--chunks must be within [100, 1000000]")
    if not 10 <= args.queries <= 10_000:
        parser.error("--queries must be within [10, 10000]")
    if not 0 <= args.sockets <= 500:
        parser.error("--sockets must be within [0, 500]")
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
