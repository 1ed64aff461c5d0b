"""What one size measured, and the output: progress on stderr, the summary with its targets."""

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.query.measures import QUESTIONS, TOP_K
from bench.query.tenants import ORGANIZATIONS, SOCKETS_PER_USER

TARGET_RATIO = 2.0


@dataclass
class WeaviateReport:
    """The Weaviate figures at one size: same records, member, query vectors and texts."""

    collection: str
    insert_seconds: float = 0.0
    flat_search_cutoff: int | None = None  # allow-lists smaller than this are scanned, exact
    filter_strategy: str | None = None
    store_ms: tuple[float, float] = (0.0, 0.0)
    store_recall: float = 0.0
    text_ms: tuple[float, float] = (0.0, 0.0)
    service_ms: tuple[float, float] = (0.0, 0.0)
    graphql_ms: tuple[float, float] = (0.0, 0.0)


@dataclass
class SizeReport:
    """Every figure measured at one size."""

    chunks: int
    build_seconds: float = 0.0
    optimize_seconds: float = 0.0
    ann_index: bool = False
    visible_rows: int = 0
    exact: bool = False  # the store answered dense searches from its in-memory snapshot
    store_ms: tuple[float, float] = (0.0, 0.0)
    store_recall: float = 0.0
    lance_ms: tuple[float, float] = (0.0, 0.0)  # LanceDB's own query (snapshot disabled)
    lance_recall: float = 0.0
    brute_ms: tuple[float, float] = (0.0, 0.0)
    filtered_ms: tuple[float, float] = (0.0, 0.0)
    embed_ms: tuple[float, float] = (0.0, 0.0)
    text_ms: tuple[float, float] = (0.0, 0.0)
    service_ms: tuple[float, float] = (0.0, 0.0)
    graphql_ms: tuple[float, float] = (0.0, 0.0)
    first_delta_ms: tuple[float, float] = (0.0, 0.0)
    sockets: int = 0
    sockets_done: int = 0
    sockets_seconds: float = 0.0
    socket_errors: list[str] = field(default_factory=list)
    weaviate: WeaviateReport | None = None

    @property
    def ratio(self) -> float:
        """In-process `search_vector` p50 over brute-force p50."""
        return self.store_ms[0] / self.brute_ms[0] if self.brute_ms[0] else float("inf")

    @property
    def filtered_ratio(self) -> float:
        """In-process `search_vector` p50 over the filter-per-query brute force's p50."""
        return self.store_ms[0] / self.filtered_ms[0] if self.filtered_ms[0] else float("inf")


def progress(line: str) -> None:
    """Progress goes to stderr; the summary to stdout."""
    print(line, file=sys.stderr, flush=True)


def _row(name: str, figures: tuple[float, float], note: str = "") -> str:
    return f"  {name:<44}{figures[0]:9.2f}{figures[1]:9.2f}  {note}".rstrip()


def _times(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "n/a"


def weaviate_lines(r: SizeReport, w: WeaviateReport) -> list[str]:
    """Weaviate's rows under LanceDB's, and its p50 over LanceDB's for the same calls."""
    if w.flat_search_cutoff is None:
        index = "index settings unknown"
    elif r.visible_rows < w.flat_search_cutoff:
        index = (
            f"the access filter allows {r.visible_rows} < flatSearchCutoff "
            f"{w.flat_search_cutoff}: an exhaustive scan of them, not HNSW"
        )
    else:
        index = (
            f"the access filter allows {r.visible_rows} >= flatSearchCutoff "
            f"{w.flat_search_cutoff}: filtered HNSW ({w.filter_strategy or '?'})"
        )
    rate = r.chunks / w.insert_seconds if w.insert_seconds else 0.0
    return [
        f"  Weaviate, collection {w.collection} (dropped): upsert {w.insert_seconds:.1f} s "
        f"({rate:.0f} objects/s); {index}",
        _row(
            "Weaviate search_vector, in-process",
            w.store_ms,
            f"recall@{TOP_K} vs exact {w.store_recall:.3f}",
        ),
        _row("Weaviate search_text (BM25), in-process", w.text_ms),
        _row("Weaviate SearchService.search, hybrid", w.service_ms, "(embeds the query)"),
        _row("Weaviate GraphQL { search { text score } }", w.graphql_ms, "(ASGI)"),
        f"  ratio Weaviate / LanceDB p50: search_vector {_times(w.store_ms[0], r.store_ms[0])} "
        f"(vs LanceDB query {_times(w.store_ms[0], r.lance_ms[0])}), "
        f"search_text {_times(w.text_ms[0], r.text_ms[0])}, "
        f"hybrid service {_times(w.service_ms[0], r.service_ms[0])}, "
        f"GraphQL {_times(w.graphql_ms[0], r.graphql_ms[0])}",
    ]


def summary(reports: Sequence[SizeReport], query_count: int, weaviate: str) -> tuple[str, bool]:
    """The printed summary, and whether every target was met; `weaviate` says which, or why not."""
    lines = [
        f"query latency: {query_count} queries per figure (answers: {QUESTIONS}), top-{TOP_K}",
        f"Weaviate: {weaviate}",
    ]
    all_met = True
    for r in reports:
        index = "HNSW-SQ index" if r.ann_index else "flat scan (below the ANN threshold)"
        at_target_size = r.chunks >= 100_000
        verdict = ("PASS" if r.ratio <= TARGET_RATIO else "FAIL") if at_target_size else "info"
        if at_target_size:
            all_met = all_met and r.ratio <= TARGET_RATIO
        lines += [
            "",
            f"== {r.chunks} chunks in {ORGANIZATIONS} organisations; {r.visible_rows} visible to "
            f"the searching member; {index}",
            f"  built: upsert {r.build_seconds:.1f} s, optimize {r.optimize_seconds:.1f} s",
            f"  {'':<44}{'p50 ms':>9}{'p95 ms':>9}",
            _row(
                "search_vector, in-process, as shipped",
                r.store_ms,
                f"recall@{TOP_K} vs exact {r.store_recall:.3f}"
                + (" (in-memory exact snapshot)" if r.exact else " (LanceDB query)"),
            ),
            _row(
                "search_vector, LanceDB query (snapshot off)",
                r.lance_ms,
                f"recall@{TOP_K} vs exact {r.lance_recall:.3f}"
                + (" (random vectors: ANN's worst case)" if r.ann_index else ""),
            ),
            _row("numpy brute force, visible rows pre-gathered", r.brute_ms),
            _row("numpy brute force, access mask per query", r.filtered_ms),
            _row("LanceDB search_text (BM25), in-process", r.text_ms),
            _row("embed one query (all-MiniLM-L6-v2)", r.embed_ms),
            _row("SearchService.search, hybrid", r.service_ms, "(embeds the query)"),
            _row("GraphQL { search { text score } }, ASGI", r.graphql_ms),
            _row("extractive answer: time to first delta", r.first_delta_ms),
            f"  ratio search_vector p50 / brute force p50 (pre-gathered) = {r.ratio:.1f}x "
            f"(target <= {TARGET_RATIO:g}x at 100k) {verdict}",
            f"  ratio search_vector p50 / brute force p50 (mask per query) = "
            f"{r.filtered_ratio:.1f}x",
        ]
        if r.sockets:
            ok = r.sockets_done == r.sockets
            all_met = all_met and ok
            lines.append(
                f"  {r.sockets} concurrent `answer` subscriptions over graphql-transport-ws: "
                f"{r.sockets_done} ended with AnswerDone and no error, "
                f"in {r.sockets_seconds:.1f} s {'PASS' if ok else 'FAIL'}"
            )
            lines.append(
                f"    ({SOCKETS_PER_USER} sockets per member user: "
                "BEACON_MAX_WEBSOCKETS_PER_USER kept at its default)"
            )
            lines += [f"    error: {error}" for error in r.socket_errors[:5]]
        if r.weaviate is not None:
            lines += weaviate_lines(r, r.weaviate)
    return "\n".join(lines), all_met
