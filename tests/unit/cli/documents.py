"""A stand-in for the document service's upload and lookup, for the CLI's upload tests."""

import asyncio
import hashlib
import uuid
from types import SimpleNamespace
from typing import Any

from domain.documents.models import DocumentStatus
from domain.errors import UnsupportedDocument


class Documents:
    """Batches of uploads that take a while (noting how many run at once and whether they were
    throttled); the same bytes twice are one document. Each poll moves every document one
    step along its script of statuses (the last one stays)."""

    def __init__(self, scripts: dict[str, list[DocumentStatus]] | None = None) -> None:
        self.scripts = scripts or {}
        self.running = 0
        self.most = 0
        self.throttled: set[bool] = set()
        self.rows: dict[uuid.UUID, SimpleNamespace] = {}
        self.steps: dict[uuid.UUID, list[DocumentStatus]] = {}

    async def upload_many(
        self, actor: object, files: list[Any], visibility: object, *, throttled: bool = True
    ) -> list[Any]:
        self.throttled.add(throttled)
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            contents = [b"".join([chunk async for chunk in file.chunks]) for file in files]
            # Suspending lets every other uploader start first (the loop runs ready tasks
            # before timers), so the count of uploads at once does not hang on timing.
            await asyncio.sleep(0.01)
        finally:
            self.running -= 1
        return [self._keep(file.filename, data) for file, data in zip(files, contents, strict=True)]

    def _keep(self, name: str, data: bytes) -> Any:
        if name.endswith(".exe"):
            return UnsupportedDocument("Executables are not documents.")
        document_id = uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])
        duplicate = document_id in self.rows
        if not duplicate:
            self.rows[document_id] = SimpleNamespace(
                id=document_id,
                filename=name,
                status=DocumentStatus.QUEUED,
                failure_code="CORRUPT_FILE",
                failure_message="Unreadable.",
            )
            self.steps[document_id] = list(self.scripts.get(name, [DocumentStatus.READY]))
        return SimpleNamespace(document=self.rows[document_id], duplicate=duplicate)

    async def by_ids(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
        for document_id in ids:
            steps = self.steps.get(document_id, [])
            if document_id in self.rows and steps:
                self.rows[document_id].status = steps.pop(0) if len(steps) > 1 else steps[0]
        return {i: self.rows[i] for i in ids if i in self.rows}
