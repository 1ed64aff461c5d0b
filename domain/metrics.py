"""Beacon's own Prometheus metrics: what the domain measures, on one registry per process.

One process, one set: the API and the in-process worker of the embedded default observe the
same metrics, which the API's `GET /metrics` serves; `beacon worker` serves them on
`BEACON_WORKER_METRICS_PORT`. The gauges the sweeper sets (documents by status, queue depth)
are deployment-wide counts, the same from every worker that sweeps: aggregate them with
`max`, never `sum`.
"""

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Parsing a long PDF takes minutes; searching takes milliseconds.
_STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
_FAST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class BeaconMetrics:
    """The metrics, on a registry of their own (not prometheus_client's global one)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.ingestion_stage_seconds = Histogram(
            "beacon_ingestion_stage_seconds",
            "Time an ingestion step spent in a stage: one document's parse, and a batch's "
            "chunk, embed and index.",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=self.registry,
        )
        self.ingestion_batch_documents = Histogram(
            "beacon_ingestion_batch_documents",
            "Documents that went through ingestion together, per batch.",
            buckets=(1, 2, 4, 8, 16, 32, 64),
            registry=self.registry,
        )
        self.documents = Gauge(
            "beacon_documents",
            "Documents by status, counted by the sweeper (deployment-wide).",
            ["status"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "beacon_queue_depth",
            "Ingestion messages waiting for a worker, as of the last sweep (deployment-wide).",
            registry=self.registry,
        )
        self.search_seconds = Histogram(
            "beacon_search_seconds",
            "Search latency by mode (hybrid, bm25, dense), access filtering included.",
            ["mode"],
            buckets=_FAST_BUCKETS,
            registry=self.registry,
        )
        self.first_delta_seconds = Histogram(
            "beacon_answer_first_delta_seconds",
            "From the start of an answer (history, retrieval, generation) to its first words.",
            buckets=_FAST_BUCKETS,
            registry=self.registry,
        )
        self.llm_tokens = Counter(
            "beacon_llm_tokens",
            "Tokens of stored answers, by kind (prompt, completion) and generator.",
            ["kind", "generator"],
            registry=self.registry,
        )

    def set_documents(self, counts: Mapping[str, int]) -> None:
        """Every status gets a value, so that an emptied status reads 0, not its old count."""
        for status, count in counts.items():
            self.documents.labels(status).set(count)


_SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("", "_sum", "_count"),
    "gauge": ("",),
}


def exported_names(registry: CollectorRegistry) -> set[str]:
    """Every series name a registry exposes (a histogram's `_bucket`, `_sum` and `_count`, a
    counter's `_total`), labelled or not, observed yet or not: what a dashboard may query."""
    names: set[str] = set()
    for family in registry.collect():
        names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",)))
    return names


METRICS = BeaconMetrics()
"""This process's metrics: observed where the work happens, served by its edges."""
