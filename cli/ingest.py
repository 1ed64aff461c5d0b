"""`beacon ingest`: upload files or folders as a user, wait for them, print a summary."""

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.uploading import FileUpload, upload_files, wait_until_final
from domain.bootstrap import Services
from domain.visibility import Visibility

_POLL_SECONDS = 0.5


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


def _file(path: Path) -> FileUpload:
    async def read() -> AsyncIterator[bytes]:
        async with await anyio.open_file(path, "rb") as source:
            while chunk := await source.read(1024 * 1024):
                yield chunk

    return FileUpload(path.name, str(path), read)


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
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        uploading = progress.add_task("uploading", total=len(files))
        uploads = await upload_files(
            services.documents,
            actor,
            [_file(path) for path in files],
            visibility,
            on_upload=lambda done: progress.update(uploading, completed=done),
        )
        summary.statuses += Counter(REJECTED=len(uploads.rejected), DUPLICATE=uploads.duplicates)
        if not wait:
            summary.statuses["QUEUED"] += len(uploads.documents)
            summary.problems += uploads.problems()
            return summary
        ingesting = progress.add_task("ingesting", total=len(uploads.documents))
        await wait_until_final(
            services.documents,
            uploads,
            poll_seconds=_POLL_SECONDS,
            on_poll=lambda finished, _: progress.advance(ingesting, len(finished)),
        )
    summary.statuses.update(document.status.value for document in uploads.final.values())
    summary.problems += uploads.problems()
    return summary
