"""Upload many files as one account, then wait until each document is final (READY or
FAILED): what `beacon ingest`, `beacon eval` and the ingestion bench share.

The uploads are an operator's bulk load, not one person's flood: they skip the per-person
upload limit (`throttled=False`), which guards the API.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from domain.documents.models import Document, DocumentStatus
from domain.documents.services import DocumentService, IncomingFile
from domain.errors import BeaconError
from domain.identity.principal import Principal
from domain.visibility import Visibility

UPLOADS_IN_FLIGHT = 8
# Files per `upload_many`: its audit transaction, and the organisation's default visibility,
# are paid once per batch.
FILES_PER_BATCH = 8
# Reading thousands of rows costs ~0.1 ms each: a large backlog is polled less often, or the
# waiting takes CPU from the worker it waits for.
POLLED_ROWS_PER_SECOND = 1000

# After each poll: the documents that became final since the last one, and how many are not.
OnPoll = Callable[[Sequence[Document], int], None]


@dataclass(frozen=True)
class FileUpload:
    """One file: the name it is uploaded under, how problems name it, and its bytes (read
    when its turn comes, so that a folder is never all in memory)."""

    name: str
    label: str
    read: Callable[[], AsyncIterator[bytes]]


@dataclass
class Uploads:
    """What became of each file, and then of each document."""

    # Each document, with the files that gave it: several when their bytes were identical.
    documents: dict[uuid.UUID, list[FileUpload]] = field(default_factory=dict)
    duplicates: int = 0  # files whose content was already a document
    rejected: list[tuple[FileUpload, BeaconError]] = field(default_factory=list)
    final: dict[uuid.UUID, Document] = field(default_factory=dict)  # READY or FAILED
    vanished: list[uuid.UUID] = field(default_factory=list)  # deleted while ingesting
    unfinished: set[uuid.UUID] = field(default_factory=set)  # given up on after a stall

    def problems(self) -> list[str]:
        """A line per file or document that did not end READY."""
        lines = [f"{file.label}: {error.code}: {error.message}" for file, error in self.rejected]
        for document in self.final.values():
            if document.status is DocumentStatus.FAILED:
                lines.append(
                    f"{self.label(document.id)}: {document.failure_code}: "
                    f"{document.failure_message}"
                )
        lines += [f"{self.label(gone)}: deleted while ingesting" for gone in self.vanished]
        if self.unfinished:
            lines.append(
                f"{len(self.unfinished)} documents still unfinished after a stall; skipped"
            )
        return lines

    def label(self, document_id: uuid.UUID) -> str:
        """How problems name a document: by the last file that gave it."""
        return self.documents[document_id][-1].label


async def upload_files(
    documents: DocumentService,
    actor: Principal,
    files: Sequence[FileUpload],
    visibility: Visibility | None = None,
    *,
    in_flight: int = UPLOADS_IN_FLIGHT,
    on_upload: Callable[[int], None] | None = None,
) -> Uploads:
    """Upload `files` in batches of `FILES_PER_BATCH`, `in_flight` batches at a time, in their
    order; a refused file is noted, not raised. `on_upload` gets the number of files done
    after each batch."""
    uploads = Uploads()
    batches = [files[i : i + FILES_PER_BATCH] for i in range(0, len(files), FILES_PER_BATCH)]
    waiting = list(reversed(batches))
    done = 0

    async def uploader() -> None:
        nonlocal done
        while waiting:
            batch = waiting.pop()
            outcomes = await documents.upload_many(
                actor,
                [IncomingFile(file.name, file.read()) for file in batch],
                visibility,
                throttled=False,
            )
            for file, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, BeaconError):
                    uploads.rejected.append((file, outcome))
                else:
                    uploads.duplicates += outcome.duplicate
                    uploads.documents.setdefault(outcome.document.id, []).append(file)
            done += len(batch)
            if on_upload is not None:
                on_upload(done)

    # Each upload mostly waits (its commit, the file store): several at once keep the
    # worker's batches full instead of feeding it one document per commit.
    await asyncio.gather(*(uploader() for _ in range(min(in_flight, len(batches)))))
    return uploads


async def wait_until_final(
    documents: DocumentService,
    uploads: Uploads,
    *,
    poll_seconds: float,
    stall_seconds: float | None = None,
    on_poll: OnPoll | None = None,
) -> None:
    """Poll the uploaded documents until each is final (into `uploads.final`) or gone
    (`uploads.vanished`); with `stall_seconds`, give up on the rest (`uploads.unfinished`)
    once none has finished for that long, rather than hang on a stuck worker."""
    pending = set(uploads.documents) - set(uploads.final)
    last_change = time.monotonic()
    while pending:
        found = await documents.by_ids(list(pending))
        finished = [document for document in found.values() if document.status.is_final]
        for document in finished:
            uploads.final[document.id] = document
        gone = pending - set(found)
        uploads.vanished += gone
        pending -= gone | {document.id for document in finished}
        if finished or gone:
            last_change = time.monotonic()
        if on_poll is not None:
            on_poll(finished, len(pending))
        if pending and stall_seconds is not None and time.monotonic() - last_change > stall_seconds:
            uploads.unfinished = pending
            return
        if pending:
            await asyncio.sleep(max(poll_seconds, len(pending) / POLLED_ROWS_PER_SECOND))


async def upload_and_wait(
    documents: DocumentService,
    actor: Principal,
    files: Sequence[FileUpload],
    visibility: Visibility | None = None,
    *,
    poll_seconds: float,
    stall_seconds: float | None = None,
    in_flight: int = UPLOADS_IN_FLIGHT,
    on_upload: Callable[[int], None] | None = None,
    on_poll: OnPoll | None = None,
) -> Uploads:
    """`upload_files`, then `wait_until_final`."""
    uploads = await upload_files(
        documents, actor, files, visibility, in_flight=in_flight, on_upload=on_upload
    )
    await wait_until_final(
        documents, uploads, poll_seconds=poll_seconds, stall_seconds=stall_seconds, on_poll=on_poll
    )
    return uploads
