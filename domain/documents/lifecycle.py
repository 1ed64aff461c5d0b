"""The ingestion pipeline's writes to document rows: lease, stages, and the final state.

Documents move through the pipeline in batches, so the lease, the stages and READY are each
one statement for a whole batch (`claim_many`, `stage_many`, `finish_many`): every document
keeps its own attempt and fence in the WHERE clause, and the statement says which of them it
still held. Failing and releasing stay one document at a time: they are each document's own.

Every document passes through about six of these statements. Built by Tortoise's query
builder each costs ~0.55 ms of CPU, written here once ~0.3 ms (measured on SQLite; the claim
also returns the row, which saves a SELECT), and on short documents that difference is a
tenth of everything ingestion does besides encoding. So these few statements are plain SQL,
the same text for both dialects but for their placeholders; everything else about documents
goes through the ORM.
"""

import functools
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

from domain.database import CONNECTION
from domain.documents.kinds import DocumentKind
from domain.documents.models import DocumentStatus, FailureCode
from domain.visibility import Visibility

_PLACEHOLDER = re.compile(r"\{\}")
_READY, _FAILED = DocumentStatus.READY.value, DocumentStatus.FAILED.value
_MESSAGE_CHARACTERS = 2000  # of a failure message kept
# Where a claimed attempt starts; the stages after it report their own progress.
_PARSING_PROGRESS = 0.05

_CLAIM = """
UPDATE document
SET lease_expires_at = {{}}, attempts = attempts + 1, status = {{}}, progress = {{}}
WHERE id IN ({ids}) AND status NOT IN ({{}}, {{}})
    AND (lease_expires_at IS NULL OR lease_expires_at < {{}})
RETURNING id, version, attempts, kind, organization_id, uploaded_by_id, visibility,
    failure_code, failure_message
"""
_STATUS = "SELECT status FROM document WHERE id = {}"
# Every write of an attempt names it (the WHERE clause below), so an attempt that outlived
# its lease cannot touch the document once a later attempt, a reindex or a final state took
# over: matching only id and version let a slow attempt turn its successor's READY back into
# CHUNKING.
_STAGE = """
UPDATE document SET status = {{}}, progress = CASE id {progress} END, lease_expires_at = {{}}
WHERE ({attempts}) AND status NOT IN ({{}}, {{}})
RETURNING id
"""
_RENEW = """
UPDATE document SET lease_expires_at = {}
WHERE id = {} AND version = {} AND attempts = {} AND status NOT IN ({}, {})
"""
_FINISH = """
UPDATE document
SET status = {{}}, progress = 1.0, chunk_count = CASE id {chunks} END,
    page_count = CASE id {pages} END, failure_code = NULL, failure_message = NULL,
    lease_expires_at = NULL, ready_at = {{}}
WHERE ({attempts}) AND status NOT IN ({{}}, {{}})
RETURNING id
"""
# One attempt in a batch statement's WHERE clause: id, version and attempt number.
_ATTEMPT = "(id = {} AND version = {} AND attempts = {})"
# Explicit types: PostgreSQL cannot infer a CASE branch's parameter type from the column.
_INTEGER_WHEN = "WHEN {} THEN CAST({} AS INTEGER)"
_FLOAT_WHEN = "WHEN {} THEN CAST({} AS DOUBLE PRECISION)"
_FAIL = """
UPDATE document SET status = {}, failure_code = {}, failure_message = {}, lease_expires_at = NULL
WHERE id = {} AND version = {} AND attempts = {} AND status NOT IN ({}, {})
"""
_RELEASE = """
UPDATE document SET lease_expires_at = NULL, failure_code = {}, failure_message = {}
WHERE id = {} AND version = {} AND attempts = {} AND status NOT IN ({}, {})
"""


@dataclass(frozen=True)
class Claim:
    """One attempt at a document version, holding its lease."""

    id: uuid.UUID
    version: int
    attempts: int  # this one included: the attempt's number, which its writes carry
    kind: DocumentKind
    organization_id: uuid.UUID
    owner_id: uuid.UUID
    visibility: Visibility
    last_error: str | None  # why the previous attempt failed, if it said
    last_cause: FailureCode | None  # that failure's code, if it was a transient one


async def claim(document_id: uuid.UUID, now: datetime, lease_until: datetime) -> Claim | None:
    """Take the lease and enter PARSING, counting the attempt; None if the lease is held, the
    document is final, or it is gone (`status` tells which)."""
    return (await claim_many([document_id], now, lease_until)).get(document_id)


async def claim_many(
    document_ids: Sequence[uuid.UUID], now: datetime, lease_until: datetime
) -> dict[uuid.UUID, Claim]:
    """`claim` for many documents in one statement: the claims taken, by document; a document
    left out is busy, final or gone."""
    if not document_ids:
        return {}
    template = _CLAIM.format(ids=", ".join("{}" for _ in document_ids))
    parsing = DocumentStatus.PARSING.value
    rows = await _query(
        template,
        lease_until,
        parsing,
        _PARSING_PROGRESS,
        *document_ids,
        _READY,
        _FAILED,
        now,
    )
    claims = [
        Claim(
            id=uuid.UUID(str(row["id"])),
            version=int(row["version"]),
            attempts=int(row["attempts"]),
            kind=DocumentKind(row["kind"]),
            organization_id=uuid.UUID(str(row["organization_id"])),
            owner_id=uuid.UUID(str(row["uploaded_by_id"])),
            visibility=Visibility(row["visibility"]),
            last_error=row["failure_message"],
            last_cause=FailureCode.of(row["failure_code"]) if row["failure_code"] else None,
        )
        for row in rows
    ]
    return {work.id: work for work in claims}


async def status(document_id: uuid.UUID) -> DocumentStatus | None:
    """The document's status, None if it does not exist."""
    rows = await _query(_STATUS, document_id)
    return DocumentStatus(rows[0]["status"]) if rows else None


async def stage(
    work: Claim, status: DocumentStatus, progress: float, lease_until: datetime
) -> bool:
    """Record the stage and renew the lease; False if the attempt no longer holds the document
    (see `renew`)."""
    return work.id in await stage_many({work: progress}, status, lease_until)


async def stage_many(
    progress: Mapping[Claim, float], status: DocumentStatus, lease_until: datetime
) -> set[uuid.UUID]:
    """`stage` for many attempts in one statement, each with its own progress; the documents
    whose attempt still held them."""
    if not progress:
        return set()
    works = list(progress)
    template = _STAGE.format(
        progress=" ".join(_FLOAT_WHEN for _ in works),
        attempts=" OR ".join(_ATTEMPT for _ in works),
    )
    whens = [value for work in works for value in (work.id, progress[work])]
    return await _changed(
        template, status.value, *whens, lease_until, *_attempts(works), _READY, _FAILED
    )


async def renew(work: Claim, lease_until: datetime) -> bool:
    """Extend the lease; False if the attempt no longer holds the document: it was deleted,
    reindexed, taken over by a later attempt, or is already final."""
    return await _update(_RENEW, lease_until, *_attempt(work))


async def finish(work: Claim, chunks: int, pages: int | None, now: datetime) -> bool:
    """READY with the counts; False if the attempt no longer holds the document."""
    return work.id in await finish_many({work: (chunks, pages)}, now)


async def finish_many(
    counts: Mapping[Claim, tuple[int, int | None]], now: datetime
) -> set[uuid.UUID]:
    """`finish` for many attempts in one statement, each with its (chunks, pages); the
    documents whose attempt still held them, now READY."""
    if not counts:
        return set()
    works = list(counts)
    template = _FINISH.format(
        chunks=" ".join(_INTEGER_WHEN for _ in works),
        pages=" ".join(_INTEGER_WHEN for _ in works),
        attempts=" OR ".join(_ATTEMPT for _ in works),
    )
    chunks = [value for work in works for value in (work.id, counts[work][0])]
    pages = [value for work in works for value in (work.id, counts[work][1])]
    return await _changed(
        template, _READY, *chunks, *pages, now, *_attempts(works), _READY, _FAILED
    )


async def fail(work: Claim, code: FailureCode, message: str) -> bool:
    """FAILED with the reason; False if the attempt no longer holds the document."""
    message = message[:_MESSAGE_CHARACTERS]
    return await _update(_FAIL, _FAILED, code.value, message, *_attempt(work))


async def release(work: Claim, reason: str, cause: FailureCode | None) -> bool:
    """Drop the lease so the next attempt may start at once, remembering why this one
    failed (`cause`: its transient code, None if unknown); False if the attempt no longer
    holds the document."""
    code = cause.value if cause is not None else None
    return await _update(_RELEASE, code, reason[:_MESSAGE_CHARACTERS], *_attempt(work))


def _attempt(work: Claim) -> tuple[Any, ...]:
    """The values of every write's WHERE clause: this attempt of this version, unfinished."""
    return (work.id, work.version, work.attempts, _READY, _FAILED)


def _attempts(works: Sequence[Claim]) -> list[Any]:
    """The values of the `_ATTEMPT` clauses of a batch statement, in order."""
    return [value for work in works for value in (work.id, work.version, work.attempts)]


async def _changed(template: str, *values: Any) -> set[uuid.UUID]:
    """The ids a `RETURNING id` statement changed."""
    return {uuid.UUID(str(row["id"])) for row in await _query(template, *values)}


async def _update(template: str, *values: Any) -> bool:
    client = get_connection(CONNECTION)
    changed, _ = await client.execute_query(
        _sql(template, _dialect(client)), _adapt(client, values)
    )
    return changed > 0


async def _query(template: str, *values: Any) -> list[dict[str, Any]]:
    client = get_connection(CONNECTION)
    return await client.execute_query_dict(_sql(template, _dialect(client)), _adapt(client, values))


def _dialect(client: BaseDBAsyncClient) -> str:
    return str(client.capabilities.dialect)


@functools.cache
def _sql(template: str, dialect: str) -> str:
    """The template with the dialect's placeholders: `?` for SQLite, `$1, $2...` for asyncpg."""
    if dialect == "sqlite":
        return _PLACEHOLDER.sub("?", template)
    numbers = iter(range(1, template.count("{}") + 1))
    return _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", template)


def _adapt(client: BaseDBAsyncClient, values: tuple[Any, ...]) -> list[Any]:
    # SQLite keeps UUIDs as text (as Tortoise writes them); asyncpg takes UUID objects, and
    # both drivers take datetimes (Tortoise registers SQLite's adapter).
    if _dialect(client) != "sqlite":
        return list(values)
    return [str(value) if isinstance(value, uuid.UUID) else value for value in values]
