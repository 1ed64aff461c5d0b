"""`beacon ingest`: upload files or folders as a user, wait for them, print a summary."""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domain.bootstrap import Services
from domain.documents.models import DocumentStatus
from domain.errors import BeaconError
from domain.visibility import Visibility

_POLL_SECONDS = 0.5
_UPLOADERS = 8  # uploads in flight


@dataclass
class IngestSummary:
    """What happened to each file."""

    statuses: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every file ended READY (or was already there)."""
        return not self.problems


def collect_files(paths: list[Path]) -> list[Path]:
    """Files named directly, plus every non-hidden file under named folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.parts)
            )
        else:
            found.append(path)
    return found


async def _read(path: Path) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as source:
        while chunk := await source.read(1024 * 1024):
            yield chunk


async def ingest_paths(
    services: Services, email: str, files: list[Path], private: bool, wait: bool, console: Console
) -> IngestSummary:
    """Upload `files` as the user with `email`; with `wait`, follow them to READY or FAILED."""
    summary = IngestSummary()
    actor = await services.identity.principal_for(email)
    if actor is None:
        summary.problems.append(f"no active user with email {email}")
        return summary
    visibility = Visibility.PRIVATE if private else Visibility.ORGANIZATION
    pending: dict[uuid.UUID, Path] = {}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        uploading = progress.add_task("uploading", total=len(files))
        waiting = list(reversed(files))

        async def uploader() -> None:
            while waiting:
                path = waiting.pop()
                try:
                    outcome = await services.documents.upload(
                        actor, path.name, _read(path), visibility, throttled=False
                    )
                except BeaconError as error:
                    summary.statuses["REJECTED"] += 1
                    summary.problems.append(f"{path}: {error.code}: {error.message}")
                else:
                    if outcome.duplicate:
                        summary.statuses["DUPLICATE"] += 1
                    pending[outcome.document.id] = path
                progress.advance(uploading)

        # Each upload mostly waits (its commit, the file store): several at once keep the
        # worker's batches full instead of feeding it one document per commit.
        await asyncio.gather(*(uploader() for _ in range(min(_UPLOADERS, len(files)))))
        if not wait:
            summary.statuses["QUEUED"] += len(pending)
            return summary
        ingesting = progress.add_task("ingesting", total=len(pending))
        while pending:
            found = await services.documents.by_ids(list(pending))
            for document in found.values():
                if not document.status.is_final:
                    continue
                path = pending.pop(document.id)
                summary.statuses[document.status.value] += 1
                if document.status is DocumentStatus.FAILED:
                    summary.problems.append(
                        f"{path}: {document.failure_code}: {document.failure_message}"
                    )
                progress.advance(ingesting)
            vanished = set(pending) - set(found)
            for document_id in vanished:
                summary.problems.append(f"{pending.pop(document_id)}: deleted while ingesting")
            if pending:
                await asyncio.sleep(_POLL_SECONDS)
    return summary
