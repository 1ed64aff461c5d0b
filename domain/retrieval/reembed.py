"""`beacon reembed`: an organisation's chunks embedded again with another model, from the
chunk text SQL keeps (no file is parsed again), while search goes on answering from the old
vectors.

Design notes (why, not what):

- Resumable: chunks are re-embedded in id order, and after each batch is stored the
  organisation's `reembed_cursor` moves past it; a run that stopped (a crash, the store
  down) continues after the cursor. Re-embedding a chunk twice only overwrites it.
- Complete before the switch: documents that became READY behind the cursor, or that
  ingestion wrote before the target was recorded, are found by comparing the target's
  documents with SQL's; vectors of deleted documents or old versions are removed.
- The switch is one UPDATE (active := target), so every search after it reads the new
  vectors with the new embedder, and none reads a half-filled store. The old model's
  vectors of the organisation are removed afterwards (`retired_model` until then, so a
  rerun finishes that too).
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from domain.documents.models import Chunk, Document, DocumentStatus
from domain.errors import BeaconError, InvalidInput, NotFound
from domain.identity.models import Organization
from domain.retrieval.models import EmbeddingState
from domain.retrieval.spaces import ModelSpaces
from domain.retrieval.vectorstores.base import VectorRecord, VectorStore
from domain.visibility import Visibility

BATCH_SIZE = 256
T = TypeVar("T")
Progress = Callable[["ReembedProgress"], None]
_CHUNK_FIELDS = (
    "id",
    "document_id",
    "version",
    "index",
    "text",
    "page_start",
    "heading_path",
    "document__version",
    "document__visibility",
    "document__uploaded_by_id",
)


class ReembedFailed(BeaconError):
    """A store or the embedder failed mid-way; what is stored is kept, and a rerun resumes."""

    code = "REEMBED_FAILED"


@dataclass(frozen=True)
class ReembedProgress:
    """How far an organisation's re-embedding is."""

    organization_id: uuid.UUID
    source: str
    target: str
    done: int  # chunks re-embedded so far (in earlier runs too)
    total: int  # chunks of READY documents


@dataclass(frozen=True)
class ReembedResult:
    """What one run did for an organisation."""

    organization_id: uuid.UUID
    source: str  # the model searched before
    target: str  # the model searched now
    embedded: int  # chunks embedded by this run
    switched: bool  # False when the organisation already used `target`


class Reembedder:
    """Moves organisations' vectors to another embedding model (see the module docstring)."""

    def __init__(self, spaces: ModelSpaces, batch_size: int = BATCH_SIZE) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self._spaces = spaces
        self._batch_size = batch_size

    async def organizations(self, organization_id: uuid.UUID | None = None) -> list[uuid.UUID]:
        """The organisation (`NotFound` if there is none with that id), or every one."""
        if organization_id is None:
            ids = await Organization.all().order_by("created_at").values_list("id", flat=True)
            return [uuid.UUID(str(value)) for value in ids]
        if not await Organization.exists(id=organization_id):
            raise NotFound(f"No organisation has the id {organization_id}.")
        return [organization_id]

    async def run(
        self,
        organization_id: uuid.UUID,
        model: str | None = None,
        on_progress: Progress | None = None,
    ) -> ReembedResult:
        """Re-embed the organisation with `model` (the configured one by default)."""
        target = model or self._spaces.configured_model
        self._spaces.catalogue.dimensions(target)  # UnknownEmbeddingModel before any change
        state = await self._spaces.claim(organization_id)
        if state.retired is not None:
            await self._retire(organization_id, state.retired)
        if state.target is None:
            if state.active == target:
                return ReembedResult(organization_id, target, target, 0, switched=False)
            await EmbeddingState.filter(id=organization_id, target_model=None).update(
                target_model=target, reembed_cursor=None
            )
            state = await self._spaces.models(organization_id)
        if state.target != target:
            raise InvalidInput(
                "model",
                f"Re-embedding with {state.target} is unfinished: run `beacon reembed "
                f"--model {state.target}` to finish it before moving to {target}.",
            )
        store = await self._guarded(self._spaces.store(target), target)
        embedded = await self._fill(
            organization_id, (state.active, target), state.cursor, store, on_progress
        )
        embedded += await self._complete(organization_id, target, store)
        switched = await EmbeddingState.filter(id=organization_id, target_model=target).update(
            active_model=target, target_model=None, reembed_cursor=None, retired_model=state.active
        )
        if not switched:
            raise ReembedFailed("Another run finished or changed this re-embedding meanwhile.")
        await self._retire(organization_id, state.active)
        return ReembedResult(organization_id, state.active, target, embedded, switched=True)

    async def _fill(
        self,
        organization_id: uuid.UUID,
        models: tuple[str, str],
        cursor: uuid.UUID | None,
        store: VectorStore,
        on_progress: Progress | None,
    ) -> int:
        source, target = models
        ready = Chunk.filter(
            document__organization_id=organization_id, document__status=DocumentStatus.READY
        )
        total = await ready.count()
        done = 0 if cursor is None else await ready.filter(id__lte=cursor).count()
        embedded = 0
        while True:
            page = ready if cursor is None else ready.filter(id__gt=cursor)
            rows = await page.order_by("id").limit(self._batch_size).values(*_CHUNK_FIELDS)
            if not rows:
                return embedded
            # Only the current version: an older one's chunks are deleted once it is READY.
            current = [row for row in rows if row["version"] == row["document__version"]]
            await self._store(organization_id, target, current, store)
            cursor = uuid.UUID(str(rows[-1]["id"]))
            moved = await EmbeddingState.filter(id=organization_id, target_model=target).update(
                reembed_cursor=cursor
            )
            if not moved:
                raise ReembedFailed("Another run finished or changed this re-embedding meanwhile.")
            embedded += len(current)
            done += len(rows)
            if on_progress is not None:
                on_progress(ReembedProgress(organization_id, source, target, done, total))

    async def _complete(self, organization_id: uuid.UUID, target: str, store: VectorStore) -> int:
        """Bring the target in line with SQL: add READY documents it lacks, drop what SQL no
        longer has. Returns how many chunks were embedded for it."""
        documents = await Document.filter(organization_id=organization_id).values(
            "id", "version", "status"
        )
        versions = {uuid.UUID(str(row["id"])): int(row["version"]) for row in documents}
        stored = await self._guarded(store.document_ids(organization_id), target)
        for document_id, kept in stored.items():
            version = versions.get(document_id)
            if version is None:
                await self._guarded(store.delete_document(organization_id, document_id), target)
            elif kept - {version}:
                await self._guarded(
                    store.delete_document(organization_id, document_id, keep_version=version),
                    target,
                )
        missing = [
            document_id
            for document_id, row in zip(versions, documents, strict=True)
            if row["status"] == DocumentStatus.READY
            and versions[document_id] not in stored.get(document_id, set())
        ]
        embedded = 0
        for document_id in missing:
            rows = await (
                Chunk.filter(document_id=document_id, version=versions[document_id])
                .order_by("index")
                .values(*_CHUNK_FIELDS)
            )
            for start in range(0, len(rows), self._batch_size):
                batch = rows[start : start + self._batch_size]
                await self._store(organization_id, target, batch, store)
                embedded += len(batch)
        return embedded

    async def _store(
        self,
        organization_id: uuid.UUID,
        target: str,
        rows: list[dict[str, object]],
        store: VectorStore,
    ) -> None:
        if not rows:
            return
        embedder = self._spaces.catalogue.get(target)
        try:
            vectors = await embedder.embed([str(row["text"]) for row in rows])
        except Exception as error:
            raise ReembedFailed(
                f"The embedding model {target} failed: {type(error).__name__}: {error}. "
                "What is stored is kept: run `beacon reembed` again to continue."
            ) from error
        records = [
            _record(organization_id, row, vector) for row, vector in zip(rows, vectors, strict=True)
        ]
        await self._guarded(store.upsert(records), target)

    async def _retire(self, organization_id: uuid.UUID, model: str) -> None:
        """Remove the organisation's vectors of a model it no longer searches."""
        store = await self._guarded(self._spaces.store(model), model)
        await self._guarded(store.delete_organization(organization_id), model)
        await EmbeddingState.filter(id=organization_id, retired_model=model).update(
            retired_model=None
        )

    async def _guarded(self, step: Awaitable[T], model: str) -> T:
        try:
            return await step
        except BeaconError:
            raise
        except Exception as error:
            raise ReembedFailed(
                f"The vector store of {model} failed: {type(error).__name__}: {error}. "
                "What is stored is kept: run `beacon reembed` again to continue."
            ) from error


def _record(
    organization_id: uuid.UUID, row: dict[str, object], vector: list[float]
) -> VectorRecord:
    page = row["page_start"]
    heading_path = row["heading_path"]
    return VectorRecord(
        id=uuid.UUID(str(row["id"])),
        organization_id=organization_id,
        document_id=uuid.UUID(str(row["document_id"])),
        version=int(str(row["version"])),
        chunk_index=int(str(row["index"])),
        visibility=Visibility(str(row["document__visibility"])),
        owner_id=uuid.UUID(str(row["document__uploaded_by_id"])),
        text=str(row["text"]),
        vector=vector,
        page=None if page is None else int(str(page)),
        heading_path=[str(part) for part in heading_path] if isinstance(heading_path, list) else [],
    )
