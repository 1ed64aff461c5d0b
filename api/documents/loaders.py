"""Per-request DataLoaders for document relations."""

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.documents.models import Document
from domain.documents.services import DocumentService


class DocumentLoaders:
    """Documents by id, one query per batch; callers have already checked access."""

    def __init__(self, documents: DocumentService) -> None:
        self._documents = documents
        self.document = DataLoader[uuid.UUID, Document | None](load_fn=self._load)

    async def _load(self, ids: Sequence[uuid.UUID]) -> list[Document | None]:
        found = await self._documents.by_ids(list(ids))
        return [found.get(i) for i in ids]
