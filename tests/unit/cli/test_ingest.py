"""`beacon ingest` keeps several uploads in flight, accounts for every file, and is not held
to a person's upload limit."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rich.console import Console

from cli.ingest import ingest_paths
from domain.errors import UnsupportedDocument


class Documents:
    """Uploads that last until another is in flight too (or, if none comes, the first lasts a
    few seconds), noting how many ran at once; `.exe` files are refused."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.throttled: set[bool] = set()
        self.overlapped = asyncio.Event()

    async def upload(
        self,
        actor: object,
        name: str,
        chunks: AsyncIterator[bytes],
        visibility: object,
        *,
        throttled: bool = True,
    ) -> Any:
        self.throttled.add(throttled)
        self.running += 1
        self.most = max(self.most, self.running)
        if self.running > 1:
            self.overlapped.set()
        try:
            try:
                await asyncio.wait_for(self.overlapped.wait(), timeout=5)
            except TimeoutError:
                self.overlapped.set()  # one at a time, then: the rest need not wait as well
            if name.endswith(".exe"):
                raise UnsupportedDocument("Executables are not documents.")
            return SimpleNamespace(document=SimpleNamespace(id=uuid.uuid4()), duplicate=False)
        finally:
            self.running -= 1


async def test_several_uploads_are_in_flight_and_every_file_is_counted(tmp_path: Path) -> None:
    files = []
    for number in range(20):
        path = tmp_path / (f"note-{number}.md" if number else "tool.exe")
        path.write_text(f"note {number}")
        files.append(path)
    documents = Documents()

    async def principal_for(email: str) -> object:
        return object()

    services = SimpleNamespace(
        documents=documents, identity=SimpleNamespace(principal_for=principal_for)
    )

    summary = await ingest_paths(
        services,  # type: ignore[arg-type]  # the two services ingest_paths uses
        "ops@example.com",
        files,
        private=False,
        wait=False,
        console=Console(quiet=True),
    )

    assert documents.most > 1
    assert documents.throttled == {False}, "an operator's folder is not one person's flood"
    assert summary.statuses == {"QUEUED": 19, "REJECTED": 1}
    assert summary.problems == [f"{files[0]}: UNSUPPORTED_TYPE: Executables are not documents."]
