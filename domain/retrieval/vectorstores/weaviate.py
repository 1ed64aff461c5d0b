"""The production adapter: a multi-tenant Weaviate collection, one tenant per organisation.

Design notes (why, not what):

- Tenancy is the first wall: every read and write goes through `with_tenant(organization)`,
  so another organisation's objects are in another shard and cannot match. The access rule
  (visibility, owner) is a `filters=` argument of the same query, which Weaviate applies as
  an allow-list before ranking (pre-filtering), so `limit` allowed hits come back even when
  forbidden objects are nearer; `organization_id` is filtered as well, as defence in depth.
- Object ids are the records' deterministic ids, and Weaviate's batch insert replaces an
  object whose id exists: re-running an ingestion leaves one copy.
- Vectors are self-provided (no vectorizer) in one named vector, compared by cosine distance.
- Every call runs under `asyncio.timeout`: the client's own per-request timeouts do not
  bound its retries (it backs off for up to a minute when gRPC is unavailable).
- Init checks are skipped because they include a request to pypi.org (Beacon needs no
  internet at run time); `start()` checks readiness itself.
"""

import asyncio
import math
import uuid
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

from weaviate import WeaviateAsyncClient
from weaviate.auth import Auth
from weaviate.classes.config import Configure, DataType, Property, Tokenization, VectorDistances
from weaviate.classes.init import AdditionalConfig, Timeout
from weaviate.classes.query import Filter, FilterReturn, MetadataQuery
from weaviate.classes.tenants import Tenant
from weaviate.collections import CollectionAsync
from weaviate.collections.classes.data import DataObject
from weaviate.collections.classes.internal import Object
from weaviate.connect.base import ConnectionParams
from weaviate.exceptions import WeaviateBaseError

from domain.retrieval.vectorstores.base import (
    ORGANIZATION,
    PRIVATE,
    Access,
    VectorHit,
    VectorRecord,
)

DEFAULT_GRPC_PORT = 50051
VECTOR_NAME = "chunk"
# Small enough that one batch finishes well inside the call timeout.
INSERT_BATCH_SIZE = 200
# Objects fetched per page when listing a tenant's documents.
PAGE_SIZE = 1_000
_HIT_PROPERTIES = ["document_id", "version", "chunk_index", "text", "page", "heading_path"]
_VISIBILITIES = (ORGANIZATION, PRIVATE)

_T = TypeVar("_T")
_Chunks = CollectionAsync[dict[str, Any], None]


class WeaviateWriteError(RuntimeError):
    """Weaviate refused some objects of a write; the message lists the first reasons."""


def _keyword(name: str, data_type: DataType = DataType.TEXT) -> Property:
    # FIELD tokenization keeps the whole value as one token: equality on an id must match
    # the full id, not any of its dash-separated words.
    return Property(
        name=name,
        data_type=data_type,
        tokenization=Tokenization.FIELD if data_type == DataType.TEXT else None,
        index_filterable=True,
        index_searchable=False,
        skip_vectorization=True,
    )


def _stored_only(name: str, data_type: DataType) -> Property:
    return Property(
        name=name,
        data_type=data_type,
        index_filterable=False,
        index_searchable=False,
        skip_vectorization=True,
    )


PROPERTIES = [
    _keyword("organization_id"),
    _keyword("document_id"),
    _keyword("owner_id"),
    _keyword("visibility"),
    _keyword("version", DataType.INT),
    _keyword("chunk_index", DataType.INT),
    _stored_only("page", DataType.INT),
    _stored_only("heading_path", DataType.TEXT_ARRAY),
    Property(
        name="text",
        data_type=DataType.TEXT,
        tokenization=Tokenization.WORD,
        index_filterable=False,
        index_searchable=True,
        skip_vectorization=True,
    ),
]


def access_filter(access: Access) -> FilterReturn:
    """The Weaviate filter keeping only the objects `access` may see in its tenant."""
    organization = Filter.by_property("organization_id").equal(_uuid_text(access.organization_id))
    if not isinstance(access.is_admin, bool):
        raise TypeError("is_admin must be a bool")
    if access.is_admin:
        return organization
    shared = Filter.by_property("visibility").equal(ORGANIZATION)
    own = Filter.by_property("owner_id").equal(_uuid_text(access.user_id))
    return organization & (shared | own)


def document_filter(document_id: uuid.UUID, keep_version: int | None = None) -> FilterReturn:
    """The Weaviate filter selecting a document's objects (optionally all but one version)."""
    document = Filter.by_property("document_id").equal(_uuid_text(document_id))
    if keep_version is None:
        return document
    if not isinstance(keep_version, int) or isinstance(keep_version, bool):
        raise TypeError("keep_version must be an int")
    return document & Filter.by_property("version").not_equal(keep_version)


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
        grpc_port: int = DEFAULT_GRPC_PORT,
    ) -> None:
        if dimensions < 1:
            raise ValueError("dimensions must be positive")
        self._params = ConnectionParams.from_url(url, grpc_port)
        self._api_key = api_key
        self._dimensions = dimensions
        self._name = collection
        self._timeout = timeout_seconds
        self._client: WeaviateAsyncClient | None = None
        # Tenants seen to exist: they are never removed by Beacon, so one check each suffices.
        self._tenants: set[str] = set()

    async def start(self) -> None:
        """Connect, check readiness, and create the collection if missing."""
        client = WeaviateAsyncClient(
            connection_params=self._params,
            auth_client_secret=Auth.api_key(self._api_key) if self._api_key else None,
            additional_config=AdditionalConfig(
                timeout=Timeout(query=self._timeout, insert=self._timeout, init=self._timeout)
            ),
            skip_init_checks=True,
        )
        try:
            await self._timed(client.connect())
            if not await self._timed(client.is_ready()):
                raise RuntimeError(f"Weaviate at {self._params.http.host} is not ready")
            if not await self._timed(client.collections.exists(self._name)):
                await self._create_collection(client)
        except BaseException:
            await client.close()
            raise
        self._client = client

    async def close(self) -> None:
        """Close the client's connections."""
        if self._client is not None:
            await self._client.close()
            self._client = None
        self._tenants.clear()

    async def drop(self) -> None:
        """Delete the whole collection and every tenant in it (tests, decommissioning)."""
        await self._timed(self._connected().collections.delete(self._name))
        self._tenants.clear()

    async def add(self, records: Sequence[VectorRecord]) -> None:
        """New records: the same as `upsert`, since objects with a given uuid replace."""
        await self.upsert(records)

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        """Insert or replace records by id; raises `WeaviateWriteError` if any was refused."""
        if len({record.id for record in records}) != len(records):
            raise ValueError("records must have distinct ids")
        by_organization: dict[uuid.UUID, list[DataObject[dict[str, Any], None]]] = {}
        for record in records:
            by_organization.setdefault(record.organization_id, []).append(self._object(record))
        for organization_id, objects in by_organization.items():
            chunks = await self._writable_tenant(organization_id)
            for start in range(0, len(objects), INSERT_BATCH_SIZE):
                batch = objects[start : start + INSERT_BATCH_SIZE]
                result = await self._timed(chunks.data.insert_many(batch))
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
        chunks = await self._tenant(organization_id)
        if chunks is None:
            return
        where = document_filter(document_id, keep_version)
        while True:
            result = await self._timed(chunks.data.delete_many(where=where))
            if result.failed:
                raise WeaviateWriteError(f"Weaviate failed to delete {result.failed} objects")
            if result.matches == 0:
                return
            if result.successful == 0:
                raise WeaviateWriteError("Weaviate matched objects but deleted none")

    async def search_vector(
        self, vector: Sequence[float], access: Access, limit: int
    ) -> list[VectorHit]:
        """Nearest visible objects by cosine similarity (1 - cosine distance), best first."""
        query_vector = self._checked_vector(vector)
        where = access_filter(access)
        chunks = await self._tenant(access.organization_id)
        if chunks is None or limit < 1:
            return []
        result = await self._timed(
            chunks.query.near_vector(
                near_vector=query_vector,
                target_vector=VECTOR_NAME,
                limit=limit,
                filters=where,
                return_metadata=MetadataQuery(distance=True),
                return_properties=_HIT_PROPERTIES,
            )
        )
        hits = [_hit(item, 1.0 - _metric(item.metadata.distance)) for item in result.objects]
        return sorted(hits, key=lambda hit: hit.score, reverse=True)

    async def search_text(self, query: str, access: Access, limit: int) -> list[VectorHit]:
        """Best BM25 matches among visible objects, best first."""
        where = access_filter(access)
        chunks = await self._tenant(access.organization_id)
        if chunks is None or limit < 1 or not query.strip():
            return []
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
        hits = [_hit(item, _metric(item.metadata.score)) for item in result.objects]
        return sorted(hits, key=lambda hit: hit.score, reverse=True)

    async def document_ids(self, organization_id: uuid.UUID) -> dict[uuid.UUID, set[int]]:
        """Every document stored for the organisation, with its versions (pages by cursor)."""
        chunks = await self._tenant(organization_id)
        documents: dict[uuid.UUID, set[int]] = {}
        if chunks is None:
            return documents
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

    async def count(self, organization_id: uuid.UUID, document_id: uuid.UUID) -> int:
        """How many objects the document has."""
        chunks = await self._tenant(organization_id)
        if chunks is None:
            return 0
        result = await self._timed(
            chunks.aggregate.over_all(filters=document_filter(document_id), total_count=True)
        )
        return result.total_count or 0

    async def optimize(self) -> None:
        """Nothing to do: Weaviate indexes every object as it is written (parity with Lance)."""

    async def _create_collection(self, client: WeaviateAsyncClient) -> None:
        try:
            await self._timed(
                client.collections.create(
                    self._name,
                    description="Beacon document chunks; one tenant per organisation.",
                    properties=PROPERTIES,
                    vector_config=Configure.Vectors.self_provided(
                        name=VECTOR_NAME,
                        vector_index_config=Configure.VectorIndex.hnsw(
                            distance_metric=VectorDistances.COSINE
                        ),
                    ),
                    multi_tenancy_config=Configure.multi_tenancy(
                        enabled=True, auto_tenant_creation=True, auto_tenant_activation=True
                    ),
                )
            )
        except WeaviateBaseError:
            # Another process may have created it between our check and our create.
            if not await self._timed(client.collections.exists(self._name)):
                raise

    async def _tenant(self, organization_id: uuid.UUID) -> _Chunks | None:
        """The organisation's tenant, or None when it has none (so nothing to find)."""
        chunks, name = self._tenant_view(organization_id)
        if name not in self._tenants:
            # Weaviate answers reads on a missing tenant with an error.
            if not await self._timed(chunks.tenants.exists(name)):
                return None
            self._tenants.add(name)
        return chunks.with_tenant(name)

    async def _writable_tenant(self, organization_id: uuid.UUID) -> _Chunks:
        """The organisation's tenant, created on its first write."""
        chunks, name = self._tenant_view(organization_id)
        if name not in self._tenants:
            if not await self._timed(chunks.tenants.exists(name)):
                # Auto-creation would do too, but only if the collection was created with
                # it on; creating explicitly works for any multi-tenant collection.
                try:
                    await self._timed(chunks.tenants.create(Tenant(name=name)))
                except WeaviateBaseError:
                    # A concurrent upsert may have created it first.
                    if not await self._timed(chunks.tenants.exists(name)):
                        raise
            self._tenants.add(name)
        return chunks.with_tenant(name)

    def _tenant_view(self, organization_id: uuid.UUID) -> tuple[_Chunks, str]:
        name = _uuid_text(organization_id)
        chunks: _Chunks = self._connected().collections.use(self._name)
        return chunks, name

    def _connected(self) -> WeaviateAsyncClient:
        if self._client is None:
            raise RuntimeError("WeaviateVectorStore.start() has not been called")
        return self._client

    async def _timed(self, awaitable: Awaitable[_T]) -> _T:
        async with asyncio.timeout(self._timeout):
            return await awaitable

    def _checked_vector(self, vector: Sequence[float]) -> list[float]:
        values = [float(value) for value in vector]
        if len(values) != self._dimensions:
            raise ValueError(f"expected {self._dimensions} dimensions, got {len(values)}")
        if not all(math.isfinite(value) for value in values):
            raise ValueError("vector contains NaN or infinity")
        return values

    def _object(self, record: VectorRecord) -> DataObject[dict[str, Any], None]:
        if record.visibility not in _VISIBILITIES:
            raise ValueError(f"unknown visibility {record.visibility!r}")
        properties: dict[str, Any] = {
            "organization_id": _uuid_text(record.organization_id),
            "document_id": _uuid_text(record.document_id),
            "owner_id": _uuid_text(record.owner_id),
            "visibility": record.visibility,
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
            vector={VECTOR_NAME: self._checked_vector(record.vector)},
        )


def _uuid_text(value: uuid.UUID) -> str:
    # Ids are compared as exact strings (FIELD tokenization), so they must be canonical.
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"expected uuid.UUID, got {type(value).__name__}")
    return str(value)


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
