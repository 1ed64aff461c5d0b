"""`beacon eval`: retrieval quality of the real pipeline on a BEIR dataset, per search mode.

The corpus goes through the same path as people's uploads (`documents.upload` as an ADMIN
of a scratch organisation, the in-process worker parsing, chunking, embedding and indexing
each passage), into a scratch data directory, so the figures describe what Beacon serves
and not a side index. Every judged query then runs through `SearchService.search` in each
mode; hits become ranked, unique corpus ids (a passage may be split into several chunks:
its best chunk places it) and are scored against the graded qrels.

The metrics live in `cli/eval_metrics.py`: pure functions, unit-tested on their own.
"""

import asyncio
import json
import secrets
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from cli.eval_metrics import (
    MODES,
    RELEVANT_GRADE,
    ModeReport,
    format_table,
    hybrid_verdict,
    score_mode,
    unique_ranking,
)
from cli.uploading import FileUpload, upload_files, wait_until_final
from domain.bootstrap import Services
from domain.documents.models import Document, DocumentStatus
from domain.identity.principal import Principal
from domain.retrieval.building import search_fusion
from domain.settings import Settings, SettingsError, load_settings
from domain.visibility import Visibility

EVAL_EMAIL = "eval@example.com"
POLL_SECONDS = 1.0
PROGRESS_SECONDS = 5.0
# Give up waiting when no document has finished for this long (a stuck worker), and
# evaluate what is READY rather than hang.
STALL_SECONDS = 600.0
# The sweeper re-queues documents still QUEUED one lease (120 s by default) after upload:
# with thousands uploaded at once, most of the backlog would get a duplicate message, still
# being drained when the worker stops. A lease as long as the stall limit avoids that; the
# sweeper keeps running, since its periodic `optimize()` keeps LanceDB's upserts fast.
LEASE_SECONDS = STALL_SECONDS

Echo = Callable[[str], None]
# What runs on the ingested platform once the searches are scored (`beacon eval --answers`).
AfterSearch = Callable[[Services, Principal, Mapping[uuid.UUID, list[str]]], Awaitable[None]]


# --- metrics: pure functions over ranked corpus ids and graded judgements -----------------


@dataclass(frozen=True)
class Passage:
    """One corpus row: its BEIR `_id` and the text to upload (title, blank line, text)."""

    id: str
    text: str


@dataclass(frozen=True)
class Dataset:
    """Passages, the judged queries to run, and their graded judgements."""

    passages: list[Passage]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    skipped_queries: int  # queries without a relevant judgement among the passages


def _jsonl(path: Path) -> Iterable[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """`query-id  corpus-id  score` rows (tab-separated, optional header) as nested dicts."""
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                continue
            query_id, corpus_id, score = fields[0], fields[1], fields[2]
            try:
                grade = int(score)
            except ValueError:
                continue  # the BEIR header row
            qrels.setdefault(query_id, {})[corpus_id] = grade
    return qrels


def read_dataset(
    folder: Path, limit_docs: int | None = None, limit_queries: int | None = None
) -> Dataset:
    """Read a BEIR folder: `corpus.jsonl`, `queries.jsonl` and `qrels/test.tsv`.

    With `limit_docs` only the first passages are used, and judgements are restricted to
    them: a passage that is not indexed cannot be found, and counting it in the ideal
    ranking would only measure the limit. Queries left without any relevant passage are
    skipped (as trec_eval skips queries absent from the qrels).
    """
    passages: list[Passage] = []
    for row in _jsonl(folder / "corpus.jsonl"):
        if limit_docs is not None and len(passages) >= limit_docs:
            break
        title = str(row.get("title") or "").strip()
        body = str(row.get("text") or "").strip()
        passages.append(Passage(str(row["_id"]), f"{title}\n\n{body}" if title else body))
    indexed = {passage.id for passage in passages}
    all_qrels = read_qrels(folder / "qrels" / "test.tsv")
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    skipped = 0
    for row in _jsonl(folder / "queries.jsonl"):
        query_id = str(row["_id"])
        judged = {doc: g for doc, g in all_qrels.get(query_id, {}).items() if doc in indexed}
        if not any(grade >= RELEVANT_GRADE for grade in judged.values()):
            skipped += 1
            continue
        if limit_queries is not None and len(queries) >= limit_queries:
            break
        queries[query_id] = str(row["text"])
        qrels[query_id] = judged
    return Dataset(passages, queries, qrels, skipped)


# --- running it through the real services ----------------------------------------------


def _one_chunk(data: bytes) -> Callable[[], AsyncIterator[bytes]]:
    async def read() -> AsyncIterator[bytes]:
        yield data

    return read


async def _scratch_admin(services: Services) -> Principal:
    """The scratch organisation's ADMIN; a reused data directory already has one."""
    existing = await services.identity.principal_for(EVAL_EMAIL)
    if existing is not None:
        return existing
    user = await services.identity.create_organization(
        "Beacon evaluation", EVAL_EMAIL, secrets.token_urlsafe(24)
    )
    return Principal.of(user)


class _Ticker:
    """Rate-limits progress lines so a long run prints a few, not thousands."""

    def __init__(self, echo: Echo) -> None:
        self._echo = echo
        self._last = time.monotonic()

    def __call__(self, line: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= PROGRESS_SECONDS:
            self._last = now
            self._echo(line)


async def ingest_passages(
    services: Services, actor: Principal, passages: Sequence[Passage], echo: Echo
) -> tuple[dict[uuid.UUID, list[str]], list[str]]:
    """Upload every passage as `<_id>.txt` and wait for the worker.

    Returns the READY documents' corpus ids (from their file names, plus passages that
    were byte-identical duplicates of one) and a line per problem (FAILED, rejected, stuck).
    """
    tick = _Ticker(echo)
    started = time.monotonic()
    statuses: Counter[str] = Counter()

    def uploaded(done: int) -> None:
        tick(f"uploaded {done}/{len(passages)}")

    def ingested(finished: Sequence[Document], pending: int) -> None:
        statuses.update(document.status.value for document in finished)
        done = sum(statuses.values())
        tick(
            f"ingested {done}/{done + pending} "
            f"({statuses['READY']} ready, {statuses['FAILED']} failed) "
            f"after {time.monotonic() - started:.0f} s"
        )

    files = [
        FileUpload(f"{passage.id}.txt", passage.id, _one_chunk(passage.text.encode("utf-8")))
        for passage in passages
    ]
    uploads = await upload_files(
        services.documents, actor, files, Visibility.ORGANIZATION, on_upload=uploaded
    )
    count = sum(len(each) for each in uploads.documents.values())
    echo(f"uploaded {count} passages in {time.monotonic() - started:.1f} s")
    await wait_until_final(
        services.documents,
        uploads,
        poll_seconds=POLL_SECONDS,
        stall_seconds=STALL_SECONDS,
        on_poll=ingested,
    )
    tick(
        f"ingestion finished in {time.monotonic() - started:.1f} s: "
        f"{statuses['READY']} ready, {statuses['FAILED']} failed",
        force=True,
    )
    ready: dict[uuid.UUID, list[str]] = {}
    for document in uploads.final.values():
        if document.status is DocumentStatus.READY:
            stem = document.filename.removesuffix(".txt")
            given = uploads.documents[document.id]
            ready[document.id] = [stem, *(file.label for file in given if file.label != stem)]
    return ready, uploads.problems()


async def run_queries(
    services: Services,
    actor: Principal,
    dataset: Dataset,
    corpus_ids: Mapping[uuid.UUID, list[str]],
    k: int,
    echo: Echo,
) -> list[ModeReport]:
    """Every query in every mode; each search call is timed on its own."""
    reports: list[ModeReport] = []
    first_query = next(iter(dataset.queries.values()))
    for mode in MODES:
        # One untimed call per mode: first-use costs (FTS index pages, the model's
        # first forward pass) are not what a steady server pays per query.
        await services.search.search(actor, first_query, limit=k, mode=mode)
        rankings: dict[str, list[str]] = {}
        latencies: list[float] = []
        for query_id, text in dataset.queries.items():
            started = time.perf_counter()
            hits = await services.search.search(actor, text, limit=k, mode=mode)
            latencies.append((time.perf_counter() - started) * 1000)
            rankings[query_id] = unique_ranking(
                corpus_id for hit in hits for corpus_id in corpus_ids.get(hit.document_id, [])
            )
        reports.append(score_mode(mode.value, rankings, dataset.qrels, latencies, k))
        echo(f"searched {len(dataset.queries)} queries in {mode.value} mode")
    return reports


async def evaluate(
    dataset: Dataset,
    settings: Settings,
    k: int,
    echo: Echo,
    after_search: AfterSearch | None = None,
) -> tuple[list[ModeReport], list[str]]:
    """Ingest the passages through a fresh platform, then score every mode."""
    from domain.bootstrap import Adapters
    from domain.database import apply_migrations
    from domain.retrieval.building import build_embedder
    from workers.runtime import build_process

    await apply_migrations(settings.effective_database_url)
    # One model for the worker and the searches: loading it twice costs memory and time.
    # BEACON_EMBEDDER chooses it, as for the server.
    embedder = build_embedder(settings)
    await embedder.start()
    runtime, services = build_process(settings, Adapters(embedder=embedder))
    await services.start()
    try:
        actor = await _scratch_admin(services)
        await asyncio.to_thread(runtime.start)
        try:
            corpus_ids, problems = await ingest_passages(services, actor, dataset.passages, echo)
        finally:
            # Searches are timed on a quiet process, as a server between uploads would be.
            await asyncio.to_thread(runtime.stop)
        await services.spaces.optimize()
        reports = await run_queries(services, actor, dataset, corpus_ids, k, echo)
        if after_search is not None:
            await after_search(services, actor, corpus_ids)
    finally:
        await services.close()
        await embedder.close()
    return reports, problems


def eval_settings(data_dir: Path) -> Settings:
    """The environment's settings (search tuning included) on a private embedded platform.

    Whatever database, queue or vector store the environment names, the evaluation writes
    only to its scratch directory: SQLite, the in-process worker and LanceDB in `data_dir`.
    """
    return load_settings(
        env="development",
        data_dir=data_dir,
        database_url=None,
        redis_url=None,
        vector_store="lance",
        bcrypt_rounds=4,
        ingest_lease_seconds=LEASE_SECONDS,
    )


def run_eval(
    dataset_dir: Path,
    limit_docs: int | None,
    limit_queries: int | None,
    k: int,
    data_dir: Path | None,
    answers: bool = False,
    answer_limit: int | None = None,
) -> int:
    """`beacon eval`: print the table and the hybrid verdict (and with `answers`, the answer
    metrics of the first `answer_limit` questions); the exit status."""

    def echo(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    dataset = read_dataset(dataset_dir, limit_docs, limit_queries)
    if not dataset.passages or not dataset.queries:
        echo("beacon: nothing to evaluate: no passages or no judged queries")
        return 1
    with ExitStack() as stack:
        folder = data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory("-beacon-eval")))
        try:
            settings = eval_settings(folder)
        except SettingsError as error:
            echo(f"beacon: invalid settings: {error}")
            return 2
        echo(
            f"evaluating {len(dataset.passages)} passages, {len(dataset.queries)} judged queries "
            f"({dataset.skipped_queries} without judgements skipped), data in {folder}"
        )
        answering = None
        if answers:
            from cli.answer_eval import AnswerEvaluation, plan_answers

            answering = AnswerEvaluation(plan_answers(dataset, answer_limit), echo)
        reports, problems = asyncio.run(evaluate(dataset, settings, k, echo, answering))
    for problem in problems:
        echo(f"problem: {problem}")
    print(
        f"{len(dataset.passages)} passages ({len(problems)} problems), "
        f"{len(dataset.queries)} queries, k={k}; fusion: {search_fusion(settings).describe()}"
    )
    print(format_table(reports, k))
    print(hybrid_verdict(reports).describe(k))
    if answering is not None:
        for problem in answering.problems:
            echo(f"problem: {problem}")
        print(answering.describe())
    return 0
