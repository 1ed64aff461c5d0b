"""The job-queue port: how services ask workers to act, after their transaction commits."""

import uuid
from typing import Protocol


class Jobs(Protocol):
    """Background work, addressed by ids (actors re-read everything they need)."""

    async def start(self) -> None:
        """Get ready to send (idempotent)."""
        ...

    async def close(self) -> None:
        """Release what sending opened."""
        ...

    def ingest_document(self, document_id: uuid.UUID) -> None:
        """Parse, chunk, embed and index the document's current version."""
        ...

    def purge_document(
        self, document_id: uuid.UUID, organization_id: uuid.UUID, storage_key: str
    ) -> None:
        """Remove a deleted document's vectors and file."""
        ...
