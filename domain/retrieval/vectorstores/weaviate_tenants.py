"""The organisations' tenants in Beacon's Weaviate collection: found, created, and forgotten.

Design notes (why, not what):

- Tenants seen to exist are remembered, so a call costs no existence check. But someone may
  delete a tenant, or drop (and maybe re-create) the whole collection, behind the store's
  back: the memory would then fail every later call for that organisation. So a call that
  fails because its tenant or collection is gone forgets it and runs once more: a read then
  answers empty (there is nothing to find), a write first re-creates what it needs.
- Weaviate says a tenant or collection is missing only in its error messages (over gRPC the
  status is UNKNOWN), so those messages are matched.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from weaviate import WeaviateAsyncClient
from weaviate.classes.tenants import Tenant
from weaviate.collections import CollectionAsync
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateBaseError

from domain.retrieval.vectorstores.weaviate_filters import uuid_text
from domain.retrieval.vectorstores.weaviate_schema import create_collection

Chunks = CollectionAsync[dict[str, Any], None]
_T = TypeVar("_T")
_TENANT_GONE = ("tenant not found",)
_COLLECTION_GONE = ("could not find class", "not present in schema")


class Tenants:
    """One tenant per organisation in `collection`, remembered once seen to exist."""

    def __init__(
        self, client: WeaviateAsyncClient, collection: str, vector_name: str, timeout: float
    ) -> None:
        self._client = client
        self._name = collection
        self._vector_name = vector_name
        self._timeout = timeout
        self._known: set[str] = set()

    def forget_all(self) -> None:
        """Check every tenant again before its next use (the collection was dropped)."""
        self._known.clear()

    def forget(self, organization_id: uuid.UUID) -> None:
        """Check the organisation's tenant again before its next use (it was removed)."""
        self._known.discard(uuid_text(organization_id))

    async def read(
        self, organization_id: uuid.UUID, query: Callable[[Chunks], Awaitable[_T]], empty: _T
    ) -> _T:
        """`query` on the organisation's tenant; `empty` if it has none (so nothing to find).

        `query` bounds its own calls' time (a listing may take many), and may run twice.
        """

        async def read() -> _T:
            chunks = await self._existing(organization_id)
            return empty if chunks is None else await query(chunks)

        return await self._retrying_once(organization_id, read)

    async def write(
        self, organization_id: uuid.UUID, call: Callable[[Chunks], Awaitable[_T]]
    ) -> _T:
        """`call` on the organisation's tenant, created first if missing.

        `call` bounds its own calls' time, and must be safe to repeat: it runs again when the
        tenant turns out to have been deleted.
        """

        async def write() -> _T:
            return await call(await self._created(organization_id))

        return await self._retrying_once(organization_id, write)

    async def _retrying_once(
        self, organization_id: uuid.UUID, call: Callable[[], Awaitable[_T]]
    ) -> _T:
        try:
            return await call()
        except WeaviateBaseError as error:
            message = str(error).lower()
            if any(phrase in message for phrase in _COLLECTION_GONE):
                self._known.clear()
            elif any(phrase in message for phrase in _TENANT_GONE):
                self._known.discard(uuid_text(organization_id))
            else:
                raise
        return await call()

    async def _existing(self, organization_id: uuid.UUID) -> Chunks | None:
        chunks, name = self._view(organization_id)
        if name not in self._known:
            # Weaviate answers reads on a missing tenant with an error.
            if not await self._exists(chunks, name):
                return None
            self._known.add(name)
        return chunks.with_tenant(name)

    async def _created(self, organization_id: uuid.UUID) -> Chunks:
        chunks, name = self._view(organization_id)
        if name not in self._known:
            if not await self._timed(self._client.collections.exists(self._name)):
                await self._timed(create_collection(self._client, self._name, self._vector_name))
            if not await self._exists(chunks, name):
                # Auto-creation would do too, but only if the collection was created with
                # it on; creating explicitly works for any multi-tenant collection.
                try:
                    await self._timed(chunks.tenants.create(Tenant(name=name)))
                except WeaviateBaseError:
                    # A concurrent write may have created it first.
                    if not await self._exists(chunks, name):
                        raise
            self._known.add(name)
        return chunks.with_tenant(name)

    async def _exists(self, chunks: Chunks, name: str) -> bool:
        try:
            return await self._timed(chunks.tenants.exists(name))
        except UnexpectedStatusCodeError:
            # Weaviate answers 422 when the collection itself is gone: then so is the tenant.
            if await self._timed(self._client.collections.exists(self._name)):
                raise
            return False

    def _view(self, organization_id: uuid.UUID) -> tuple[Chunks, str]:
        chunks: Chunks = self._client.collections.use(self._name)
        return chunks, uuid_text(organization_id)

    async def _timed(self, awaitable: Awaitable[_T]) -> _T:
        async with asyncio.timeout(self._timeout):
            return await awaitable
