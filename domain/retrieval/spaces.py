"""Vectors per embedding model: which model's store answers an organisation, and writes to
every model it needs.

Design notes (why, not what):

- Each model has a store of its own: a LanceDB table, a Weaviate collection (named by
  `space_name`). A collection per model rather than a named vector per model in one
  collection: re-embedding then writes new objects instead of rewriting every object with
  both vectors, and removing an organisation's old vectors is dropping its tenant. The
  original model keeps the original table and collection, so existing vectors stay put.
- An organisation searches its *active* model's vectors, with that model's embedder for the
  query. `beacon reembed` fills a *target* model beside it and switches once complete (see
  `reembed.py`); until then every write goes to both, so a document ingested meanwhile is
  in the new vectors too.
- A write checks the organisation's models again after writing: a switch that happened
  meanwhile may need a model it did not write, and it writes that one too.
"""

import dataclasses
import hashlib
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from domain.retrieval.catalogue import EmbedderCatalogue, UnknownEmbeddingModel
from domain.retrieval.embedding import Embedder
from domain.retrieval.models import ORIGINAL_MODEL, EmbeddingState
from domain.retrieval.vectorstores.base import VectorRecord, VectorStore

log = logging.getLogger("beacon.vectors")

OpenStore = Callable[[str, int], VectorStore]
"""An unstarted store for a model's vectors, from the model's name and dimensions."""


def space_name(base: str, model: str, *, separator: str = "-") -> str:
    """The table or collection holding `model`'s vectors: `base` for the original model,
    else `base`, the model's name (only letters, digits and `separator` kept) and a short
    hash of it, so that two names never share one."""
    if model == ORIGINAL_MODEL:
        return base
    readable = re.sub(r"[^A-Za-z0-9]+", separator, model).strip(separator)
    digest = hashlib.sha256(model.encode()).hexdigest()[:8]
    return f"{base}{separator}{readable}{separator}{digest}"


@dataclass(frozen=True)
class OrganizationModels:
    """An organisation's embedding models."""

    active: str  # search reads its vectors
    target: str | None = None  # being filled by `beacon reembed`
    cursor: uuid.UUID | None = None  # the last chunk (in id order) the target has
    retired: str | None = None  # replaced by the last switch; its vectors still to remove

    @property
    def written(self) -> list[str]:
        """The models every new vector must be written for."""
        return [self.active] if self.target is None else [self.active, self.target]

    @property
    def stored(self) -> list[str]:
        """Every model that may hold the organisation's vectors."""
        return list(dict.fromkeys(m for m in (*self.written, self.retired) if m is not None))


class ModelSpaces:
    """The stores of every model in use, opened on first use, and each organisation's models."""

    def __init__(
        self, catalogue: EmbedderCatalogue, open_store: OpenStore, configured: VectorStore
    ) -> None:
        self.catalogue = catalogue
        self._open = open_store
        # The configured model's store is started (and closed) with the services.
        self._configured = configured
        self._stores: dict[str, VectorStore] = {catalogue.configured: configured}

    @property
    def configured_model(self) -> str:
        """What new organisations use, and what `beacon reembed` moves to by default."""
        return self.catalogue.configured

    async def store(self, model: str) -> VectorStore:
        """The started store of `model`'s vectors; `UnknownEmbeddingModel` if not buildable."""
        opened = self._stores.get(model)
        if opened is not None:
            return opened
        store = self._open(model, self.catalogue.dimensions(model))
        await store.start()
        opened = self._stores.setdefault(model, store)
        if opened is not store:  # another caller opened it meanwhile
            await store.close()
        return opened

    async def models(self, organization_id: uuid.UUID) -> OrganizationModels:
        """The organisation's models (the configured one if it has stored nothing yet)."""
        state = await EmbeddingState.get_or_none(id=organization_id)
        return OrganizationModels(self.configured_model) if state is None else _models(state)

    async def claim(self, organization_id: uuid.UUID) -> OrganizationModels:
        """The organisation's models, recorded first if it had none (before its first write)."""
        state = await EmbeddingState.get_or_none(id=organization_id)
        if state is None:
            try:
                state = await EmbeddingState.create(
                    id=organization_id,
                    organization_id=organization_id,
                    active_model=self.configured_model,
                )
            except IntegrityError:  # a concurrent first write recorded it
                state = await EmbeddingState.get(id=organization_id)
        return _models(state)

    async def searched(self, organization_id: uuid.UUID) -> tuple[VectorStore, Embedder]:
        """The store search reads for the organisation, and the embedder of its queries."""
        model = (await self.models(organization_id)).active
        return await self.store(model), self.catalogue.get(model)

    async def write(self, records: Sequence[VectorRecord], model: str, *, new: bool) -> None:
        """Store `records` (vectors of `model`) for every model their organisations need,
        embedding their text again for the others. `new`: see `VectorStore.add`."""
        by_organization: dict[uuid.UUID, list[VectorRecord]] = defaultdict(list)
        for record in records:
            by_organization[record.organization_id].append(record)
        for organization_id, own in by_organization.items():
            written: set[str] = set()
            while True:  # again if a switch meanwhile made another model needed
                needed = [
                    m for m in (await self.claim(organization_id)).written if m not in written
                ]
                if not needed:
                    break
                for wanted in needed:
                    await self._write_model(own, model, wanted, new=new and wanted == model)
                    written.add(wanted)

    async def _write_model(
        self, records: list[VectorRecord], model: str, wanted: str, *, new: bool
    ) -> None:
        if wanted != model:
            vectors = await self.catalogue.get(wanted).embed([record.text for record in records])
            records = [
                dataclasses.replace(record, vector=vector)
                for record, vector in zip(records, vectors, strict=True)
            ]
        store = await self.store(wanted)
        await (store.add if new else store.upsert)(records)

    async def delete_document(
        self, organization_id: uuid.UUID, document_id: uuid.UUID, keep_version: int | None = None
    ) -> None:
        """Remove the document's vectors (all, or all but `keep_version`) of every model."""
        for model in (await self.models(organization_id)).stored:
            store = await self.store(model)
            await store.delete_document(organization_id, document_id, keep_version)

    async def check(self) -> list[str]:
        """The start-up check: open the store of every model in use, and say which
        organisations search another model than the configured one.

        Raises `UnknownEmbeddingModel` for vectors of a model this process cannot build (it
        could neither answer those organisations' queries nor re-embed them), and the
        store's error for vectors whose size differs from their model's.
        """
        notes: list[str] = []
        states = await EmbeddingState.all()
        for model in sorted({m for state in states for m in _models(state).stored}):
            if model not in self.catalogue:
                count = sum(1 for state in states if model in _models(state).stored)
                raise UnknownEmbeddingModel(
                    model,
                    self.catalogue.names,
                    f"{count} organisation(s) have vectors of the embedding model {model!r}, "
                    "which this Beacon cannot build, so it could neither search them nor "
                    f"re-embed them (it can build: {', '.join(self.catalogue.names)}). "
                    "Configure that model's embedder.",
                )
            await self.store(model)
        elsewhere = [s for s in states if s.active_model != self.configured_model]
        for model in sorted({state.active_model for state in elsewhere}):
            count = sum(1 for state in elsewhere if state.active_model == model)
            notes.append(
                f"{count} organisation(s) search vectors of {model}, not of the configured "
                f"{self.configured_model}: run `beacon reembed` to re-embed them"
            )
        running = [state for state in states if state.target_model is not None]
        for model in sorted({state.target_model for state in running if state.target_model}):
            count = sum(1 for state in running if state.target_model == model)
            notes.append(
                f"{count} organisation(s) are being re-embedded with {model} (search uses "
                "their old vectors until it completes; `beacon reembed` resumes a stopped one)"
            )
        return notes

    async def optimize(self) -> None:
        """Housekeeping in every open store."""
        for store in list(self._stores.values()):
            await store.optimize()

    async def close(self) -> None:
        """Close the stores opened here (not the configured one)."""
        stores = [s for s in self._stores.values() if s is not self._configured]
        self._stores = {self.configured_model: self._configured}
        for store in stores:
            await store.close()


def _models(state: EmbeddingState) -> OrganizationModels:
    return OrganizationModels(
        active=state.active_model,
        target=state.target_model,
        cursor=state.reembed_cursor,
        retired=state.retired_model,
    )
