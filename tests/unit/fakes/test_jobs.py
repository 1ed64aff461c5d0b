"""Inline jobs record what was asked for and, attached to the work, do it in the test's own
event loop, where the test can wait for it."""

import asyncio
import contextvars
import uuid

import pytest

from tests.fakes.jobs import InlineJobs

CALLER = contextvars.ContextVar("CALLER", default="nobody")


class Work:
    """Notes each job with the caller it ran for; `then` chains a job to an ingestion, and
    `hold` keeps every ingestion waiting until set. Each job lets the event loop run others a
    few times first, as real work awaiting its database does."""

    def __init__(self, jobs: InlineJobs) -> None:
        self.jobs = jobs
        self.done: list[tuple[str, uuid.UUID, str]] = []
        self.then: dict[uuid.UUID, uuid.UUID] = {}
        self.failing: set[uuid.UUID] = set()
        self.hold: asyncio.Event | None = None

    async def ingest(self, document_id: uuid.UUID) -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        if self.hold is not None:
            await self.hold.wait()
        if document_id in self.failing:
            raise ConnectionError(f"the store refused {document_id}")
        self.done.append(("ingest", document_id, CALLER.get()))
        if document_id in self.then:
            self.jobs.ingest_document(self.then[document_id])

    async def purge(self, document_id: uuid.UUID, organization_id: uuid.UUID, key: str) -> None:
        self.done.append(("purge", document_id, CALLER.get()))


async def test_jobs_asked_for_before_the_work_is_attached_are_only_recorded() -> None:
    jobs = InlineJobs()
    document, organization = uuid.uuid4(), uuid.uuid4()

    jobs.ingest_document(document)
    jobs.purge_document(document, organization, "0" * 32)
    work = Work(jobs)
    jobs.attach(work)
    await jobs.settled()

    assert jobs.ingested == [document]
    assert jobs.purged == [(document, organization, "0" * 32)]
    assert work.done == []


async def test_attached_jobs_run_in_the_callers_context_and_settle_with_those_they_start() -> None:
    jobs = InlineJobs()
    work = Work(jobs)
    jobs.attach(work)
    first, second, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    work.then[first] = second
    CALLER.set("the test")

    jobs.ingest_document(first)
    jobs.purge_document(gone, uuid.uuid4(), "0" * 32)
    await jobs.settled()

    assert sorted(work.done) == sorted(
        [
            ("ingest", first, "the test"),
            ("purge", gone, "the test"),
            ("ingest", second, "the test"),
        ]
    )
    assert jobs.ingested == [first, second]


async def test_a_failed_job_is_kept_and_raised_by_the_next_settle_only() -> None:
    jobs = InlineJobs()
    work = Work(jobs)
    jobs.attach(work)
    refused, fine = uuid.uuid4(), uuid.uuid4()
    work.failing.add(refused)

    jobs.ingest_document(refused)
    jobs.ingest_document(fine)
    with pytest.raises(ConnectionError, match=str(refused)):
        await jobs.settled()
    await jobs.settled()

    assert [document for _, document, _ in work.done] == [fine]
    assert [str(error) for error in jobs.failures] == [f"the store refused {refused}"]


async def test_close_stops_the_jobs_still_running() -> None:
    jobs = InlineJobs()
    work = Work(jobs)
    work.hold = asyncio.Event()
    jobs.attach(work)
    jobs.ingest_document(uuid.uuid4())

    await jobs.close()
    work.hold.set()
    await jobs.settled()

    assert work.done == []
    assert jobs.failures == []
