"""The production adapter: a multi-tenant Weaviate collection, one tenant per organisation.

Design notes (why, not what):

- Tenancy is the first wall: every read and write goes through `with_tenant(organization)`,
  so another organisation's objects are in another shard and cannot match. The access rule
  (visibility, owner) is a `filters=` argument of the same query, which Weaviate applies as
  an allow-list before ranking (pre-filtering), so `limit` allowed hits come back even when
  forbidden objects are nearer; `organization_id` is filtered as well, as defence in depth.
- Object ids are the records' deterministic ids, and Weaviate's batch insert replaces an
  object whose id exists: re-running an ingestion leaves one copy.
- Vectors are self-provided (no vectorizer) in one named vector, compared by cosine distance;
  `weaviate_schema.py` creates the collection, or checks an existing one at `start()`.
- `start()` checks both APIs (`weaviate_connection.py`): REST with the API key, and gRPC, which
  every search and write uses, so a wrong address or key stops start-up with one clear line.
- Every call runs under `asyncio.timeout`: the client's own per-request timeouts do not
  bound its retries (it backs off for up to a minute when gRPC is unavailable).
- Tenants are found and created through `weaviate_tenants.py`, which copes with a tenant or
  the collection being deleted behind the store's back.
- Callers see `WeaviateWriteError` for every write Weaviate did not carry out, whether it
  refused some objects, all of them (the client raises its own error then), or the call.
- Lexical search (BM25 on `text`, tokenized by word): lowercased, accents folded and the "en"
  stop words ignored, as base.py promises. Weaviate has no stemmer, so unlike LanceDB only
  the word as written matches ("invoice" does not find "invoices").
"""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

from weaviate import WeaviateAsyncClient
from weaviate.classes.query import MetadataQuery
from weaviate.collections.classes.data import DataObject
from weaviate.collections.classes.internal import Object
from weaviate.connect.base import ConnectionParams
from weaviate.exceptions import WeaviateBaseError

from domain.retrieval.vectorstores.base import (
    Access,
    VectorBatch,
    VectorHit,
    VectorRecord,
    checked_vector,
)
from domain.retrieval.vectorstores.weaviate_connection import (
    DEFAULT_GRPC_PORT,
    WeaviateStartError,
    connection_params,
    open_client,
    rest_address,
)
from domain.retrieval.vectorstores.weaviate_filters import (
    access_filter,
    document_filter,
    uuid_text,
)
from domain.retrieval.vectorstores.weaviate_schema import VECTOR_NAME, prepare_collection
from domain.retrieval.vectorstores.weaviate_tenants import Chunks, Tenants

# Small enough that one batch finishes well inside the call timeout.
INSERT_BATCH_SIZE = 200
# Objects fetched per page when listing a tenant's documents.
PAGE_SIZE = 1_000
_HIT_PROPERTIES = ["document_id", "version", "chunk_index", "text", "page", "heading_path"]
_T = TypeVar("_T")
log = logging.getLogger("beacon.vectors")


class WeaviateWriteError(RuntimeError):
    """Weaviate refused some objects of a write; the message lists the first reasons."""


class WeaviateVectorStore:
    """A `VectorStore` in a multi-tenant Weaviate collection (tenant = organisation id)."""

    def __init__(
        self,
        url: str,
        api_key: str | None,
        dimensions: int,
        collection: str = "BeaconChunk",
        timeout_seconds: float = 10,
        *,
        grpc_host: str | None = None,
        grpc_port: int = DEFAULT_GRPC_PORT,
        grpc_secure: bool | None = None,
        vector_name: str = VECTOR_NAME,
    ) -> None:
        if dimensions < 1:
            raise ValueError("dimensions must be positive")
        self._params = connection_params(
            url, grpc_host=grpc_host, grpc_port=grpc_port, grpc_secure=grpc_secure
        )
        self._api_key = api_key
        self._dimensions = dimensions
        self._name = collection
        self._vector_name = vector_name
        self._timeout = timeout_seconds
        self._client: WeaviateAsyncClient | None = None
        self._tenants: Tenants | None = None

    @property
    def connection_params(self) -> ConnectionParams:
        """Where the store connects: REST and gRPC hosts, ports and TLS."""
        return self._params

    async def start(self) -> None:
        """Connect, check both APIs, and create the collection or check the existing one.

        Raises `WeaviateStartError` (or its `WeaviateSchemaMismatch`) naming what is wrong.
        """
        client = await open_client(self._params, self._api_key, self._timeout)
        try:
            await self._timed(
                prepare_collection(client, self._name, self._vector_name, self._dimensions)
            )
        except TimeoutError as error:
            await client.close()
            raise WeaviateStartError(
                f"Weaviate at {rest_address(self._params)} did not answer within "
                f"{self._timeout:g} s while checking collection {self._name}"
            ) from error
        except BaseException:
            await client.close()
            raise
        self._client = client
        self._tenants = Tenants(client, self._name, self._vector_name, self._timeout)

    async def close(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            await self._client.close()
        self._client = self._tenants = None

    async def drop(self) -> None:
        """Delete the whole collection and every tenant in it (tests, decommissioning)."""
        await self._timed(self._connected().collections.delete(self._name))
        self._tenancy().forget_all()

    async def add(self, records: Sequence[VectorRecord]) -> None:
        """New records: the same as `upsert`, since objects with a given uuid replace."""
        await self.upsert(records)

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        """Insert or replace records by id; raises `WeaviateWriteError` if any was not stored."""
        batch = VectorBatch.of(records, self._dimensions)
        by_organization: dict[uuid.UUID, list[DataObject[dict[str, Any], None]]] = {}
        for record, vector in zip(batch.records, batch.vectors.tolist(), strict=True):
            by_organization.setdefault(record.organization_id, []).append(
                self._object(record, vector)
            )
        for organization_id, objects in by_organization.items():
            for start in range(0, len(objects), INSERT_BATCH_SIZE):
                await self._insert(organization_id, objects[start : start + INSERT_BATCH_SIZE])

    async def _insert(
        self, organization_id: uuid.UUID, batch: list[DataObject[dict[str, Any], None]]
    ) -> None:
        try:
            # Safe to repeat, as `write` may: objects with the same uuid replace each other.
            result = await self._tenancy().write(
                organization_id, lambda chunks: self._timed(chunks.data.insert_many(batch))
            )
        except WeaviateBaseError as error:
            # The client raises its own error when Weaviate refused every object, or the call.
            raise WeaviateWriteError(
                f"Weaviate refused all {len(batch)} objects: {_reason(error)}"
            ) from error
        if result.has_errors or len(result.uuids) != len(batch):
            reasons = sorted({error.message for error in result.errors.values()})
            raise WeaviateWriteError(
                f"Weaviate refused {len(batch) - len(result.uuids)} of {len(batch)} "
                f"objects: {'; '.join(reasons[:3])}"
            )

    async def delete_document(
        self, organization_id: uuid.UUID, document_id: uuid.UUID, keep_version: int | None = None
    ) -> None:
        """Remove the document's objects, repeating while any match (deletes are capped)."""
        where = document_filter(document_id, keep_version)

        async def delete(chunks: Chunks) -> None:
            while True:
                result = await self._timed(chunks.data.delete_many(where=where))
                if result.failed:
                    raise WeaviateWriteError(f"Weaviate failed to delete {result.failed} objects")
                if result.matches == 0:
                    return
                if result.successful == 0:
                    raise WeaviateWriteError("Weaviate matched objects but deleted none")

        try:
            # Read access is enough: an organisation without a tenant has nothing to delete.
            await self._tenancy().read(organization_id, delete, None)
        except WeaviateBaseError as error:
            raise WeaviateWriteError(
                f"Weaviate refused to delete document {document_id}: {_reason(error)}"
            ) from error

    async def delete_organization(self, organization_id: uuid.UUID) -> None:
        """Remove the organisation's tenant, and with it every object it holds."""

        async def remove(chunks: Chunks) -> None:
            await self._timed(chunks.tenants.remove([uuid_text(organization_id)]))

        try:
            await self._tenancy().read(organization_id, remove, None)
        except WeaviateBaseError as error:
            raise WeaviateWriteError(
                f"Weaviate refused to delete organisation {organization_id}: {_reason(error)}"
            ) from error
        self._tenancy().forget(organization_id)

    async def search_vector(
        self, vector: Sequence[float], access: Access, limit: int
    ) -> list[VectorHit]:
        """Nearest visible objects by cosine similarity (1 - cosine distance), best first."""
        query_vector = checked_vector(vector, self._dimensions).tolist()
        where = access_filter(access)
        if limit < 1:
            return []

        async def search(chunks: Chunks) -> list[VectorHit]:
            result = await self._timed(
                chunks.query.near_vector(
                    near_vector=query_vector,
                    target_vector=self._vector_name,
                    limit=limit,
                    filters=where,
                    return_metadata=MetadataQuery(distance=True),
                    return_properties=_HIT_PROPERTIES,
                )
            )
            return [_hit(item, 1.0 - _metric(item.metadata.distance)) for item in result.objects]

        hits: list[VectorHit] = await self._tenancy().read(access.organization_id, search, [])
        return sorted(hits, key=lambda hit: hit.score, reverse=True)

    async def search_text(self, query: str, access: Access, limit: int) -> list[VectorHit]:
        """Best BM25 matches among visible objects, best first (see the lexical note above)."""
        where = access_filter(access)
        if limit < 1 or not query.strip():
            return []

        async def search(chunks: Chunks) -> list[VectorHit]:
            result = await self._timed(
                chunks.query.bm25(
                    query=query,
                    query_properties=["text"],
                    limit=limit,
                    filters=where,
                    return_metadata=MetadataQuery(score=True),
                    return_properties=_HIT_PROPERTIES,
                )
            )
            return [_hit(item, _metric(item.metadata.score)) for item in result.objects]

        hits: list[VectorHit] = await self._tenancy().read(access.organization_id, search, [])
        return sorted(hits, key=lambda hit: hit.score, reverse=True)

    async def document_ids(self, organization_id: uuid.UUID) -> dict[uuid.UUID, set[int]]:
        """Every document stored for the organisation, with its versions (pages by cursor)."""

        async def list_documents(chunks: Chunks) -> dict[uuid.UUID, set[int]]:
            documents: dict[uuid.UUID, set[int]] = {}
            after: uuid.UUID | None = None
            while True:
                page = await self._timed(
                    chunks.query.fetch_objects(
                        limit=PAGE_SIZE, after=after, return_properties=["document_id", "version"]
                    )
                )
                if not page.objects:
                    return documents
                for item in page.objects:
                    document_id = uuid.UUID(str(item.properties["document_id"]))
                    documents.setdefault(document_id, set()).add(int(item.properties["version"]))
                after = page.objects[-1].uuid

        return await self._tenancy().read(organization_id, list_documents, {})

    async def count(self, organization_id: uuid.UUID, document_id: uuid.UUID | None = None) -> int:
        """How many objects the document has (the organisation's tenant's without one)."""
        filters = None if document_id is None else document_filter(document_id)

        async def count_objects(chunks: Chunks) -> int:
            result = await self._timed(chunks.aggregate.over_all(filters=filters, total_count=True))
            return result.total_count or 0

        return await self._tenancy().read(organization_id, count_objects, 0)

    async def ready(self) -> bool:
        """Weaviate says it is ready, within the store's timeout."""
        try:
            return await self._timed(self._connected().is_ready())
        except Exception:  # a probe: any failure (timeout, refused, not started) is "not ready"
            log.warning("Weaviate is not ready", exc_info=True)
            return False

    async def optimize(self) -> None:
        """Nothing to do: Weaviate indexes every object as it is written (parity with Lance)."""

    def _connected(self) -> WeaviateAsyncClient:
        if self._client is None:
            raise RuntimeError("WeaviateVectorStore.start() has not been called")
        return self._client

    def _tenancy(self) -> Tenants:
        if self._tenants is None:
            raise RuntimeError("WeaviateVectorStore.start() has not been called")
        return self._tenants

    async def _timed(self, awaitable: Awaitable[_T]) -> _T:
        async with asyncio.timeout(self._timeout):
            return await awaitable

    def _object(
        self, record: VectorRecord, vector: list[float]
    ) -> DataObject[dict[str, Any], None]:
        """The record as a Weaviate object; `VectorRecord` has checked its ids and visibility,
        `VectorBatch` its vector."""
        properties: dict[str, Any] = {
            "organization_id": str(record.organization_id),
            "document_id": str(record.document_id),
            "owner_id": str(record.owner_id),
            "visibility": record.visibility.value,
            "version": record.version,
            "chunk_index": record.chunk_index,
            "heading_path": list(record.heading_path),
            "text": record.text,
        }
        if record.page is not None:
            properties["page"] = record.page
        return DataObject(
            properties=properties,
            uuid=record.id,
            vector={self._vector_name: vector},
        )


def _reason(error: WeaviateBaseError) -> str:
    # The client's messages run over several lines (gRPC debug strings); logs want one.
    return " ".join(str(error).split())


def _metric(value: float | None) -> float:
    if value is None:
        raise RuntimeError("Weaviate returned no distance/score for a hit")
    return float(value)


def _hit(item: Object[dict[str, Any], None], score: float) -> VectorHit:
    properties = item.properties
    page = properties.get("page")
    return VectorHit(
        # The client hands back its own UUID subclass; callers get a plain uuid.UUID.
        id=uuid.UUID(int=item.uuid.int),
        document_id=uuid.UUID(str(properties["document_id"])),
        version=int(properties["version"]),
        chunk_index=int(properties["chunk_index"]),
        text=str(properties["text"]),
        score=score,
        page=None if page is None else int(page),
        heading_path=[str(part) for part in properties.get("heading_path") or []],
    )
