"""A Weaviate that stops answering mid-run: every search ends at the store's timeout
(`BEACON_VECTOR_STORE_TIMEOUT_SECONDS`) with a TimeoutError, never a hang.

The store talks to the real test Weaviate through loopback proxies that forward both APIs
until told to stall; then they keep every connection open and pass nothing on, as a peer
that hangs does (the client's own per-request timeouts do not bound its retries).
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from tests.integration.vectorstores.factories import AS_OWNER, DIMENSIONS, axis, record
from tests.support.services import WeaviateServer

TIMEOUT_SECONDS = 2.0


class StallingProxy:
    """Forwards loopback connections to `target` until `stall()`; then forwards nothing."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connected, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def stall(self) -> None:
        self._flowing.clear()

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for writer in self._writers:
            writer.close()

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers.add(upstream_writer)
        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await source.read(65536):
                await self._flowing.wait()  # stalled: hold the bytes, keep the connection
                sink.write(data)
                await sink.drain()
        sink.close()


@pytest.fixture
async def proxies(weaviate_server: WeaviateServer) -> AsyncIterator[list[StallingProxy]]:
    """One stalling proxy for Weaviate's REST API, one for its gRPC API."""
    started = [
        StallingProxy("127.0.0.1", port_of(weaviate_server.url)),
        StallingProxy("127.0.0.1", weaviate_server.grpc_port),
    ]
    for proxy in started:
        await proxy.start()
    yield started
    for proxy in started:
        await proxy.close()


def port_of(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None, url
    return port


@pytest.mark.timeout(60)
async def test_a_search_against_a_weaviate_that_stops_answering_ends_at_the_timeout(
    weaviate_server: WeaviateServer, collection: str, proxies: list[StallingProxy]
) -> None:
    rest, grpc = proxies
    store = WeaviateVectorStore(
        f"http://127.0.0.1:{rest.port}",
        weaviate_server.api_key,
        DIMENSIONS,
        collection=collection,
        timeout_seconds=TIMEOUT_SECONDS,
        grpc_port=grpc.port,
    )
    await store.start()
    try:
        await store.upsert([record(uuid.uuid4(), vector=axis(0))])
        assert len(await store.search_vector(axis(0), AS_OWNER, 1)) == 1
        for proxy in proxies:
            proxy.stall()

        for search in (
            store.search_vector(axis(0), AS_OWNER, 1),
            store.search_text("chunk", AS_OWNER, 1),
        ):
            started = time.monotonic()
            with pytest.raises(TimeoutError):
                await search
            waited = time.monotonic() - started
            assert TIMEOUT_SECONDS - 0.1 <= waited < TIMEOUT_SECONDS + 1.5, waited
    finally:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(store.close(), TIMEOUT_SECONDS)
