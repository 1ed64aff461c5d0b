"""Start-up against the real Weaviate: each way of pointing Beacon at it wrongly gets one clear
line naming what failed and where, and leaves no connection open."""

import pytest

from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from domain.retrieval.vectorstores.weaviate_connection import WeaviateStartError
from tests.integration.vectorstores.factories import DIMENSIONS, ORG
from tests.support.services import WeaviateServer

# Long enough for the loopback server, short enough that a test waiting on it stays quick.
TIMEOUT_SECONDS = 5


async def start_error(store: WeaviateVectorStore) -> str:
    """The message `store.start()` fails with."""
    with pytest.raises(WeaviateStartError) as failure:
        await store.start()
    message = str(failure.value)
    assert "\n" not in message
    return message


async def test_a_correctly_configured_store_starts_and_answers(
    weaviate_server: WeaviateServer, collection: str
) -> None:
    store = WeaviateVectorStore(
        weaviate_server.url,
        weaviate_server.api_key,
        DIMENSIONS,
        collection=collection,
        grpc_port=weaviate_server.grpc_port,
    )

    await store.start()
    try:
        assert await store.document_ids(ORG) == {}
    finally:
        await store.close()


async def test_a_wrong_api_key_stops_start_saying_weaviate_refused_it(
    weaviate_server: WeaviateServer, collection: str
) -> None:
    store = WeaviateVectorStore(
        weaviate_server.url,
        "not-the-key",
        DIMENSIONS,
        collection=collection,
        timeout_seconds=TIMEOUT_SECONDS,
        grpc_port=weaviate_server.grpc_port,
    )

    message = await start_error(store)

    assert message.startswith(f"Weaviate at {weaviate_server.url} refused the API key")


async def test_no_api_key_for_a_server_that_needs_one_stops_start_saying_so(
    weaviate_server: WeaviateServer, collection: str
) -> None:
    store = WeaviateVectorStore(
        weaviate_server.url,
        None,
        DIMENSIONS,
        collection=collection,
        timeout_seconds=TIMEOUT_SECONDS,
        grpc_port=weaviate_server.grpc_port,
    )

    message = await start_error(store)

    assert message.startswith(f"Weaviate at {weaviate_server.url} needs an API key")


async def test_weaviate_down_stops_start_naming_weaviate_and_the_url(
    weaviate_server: WeaviateServer, closed_port: int
) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    store = WeaviateVectorStore(
        url, weaviate_server.api_key, DIMENSIONS, timeout_seconds=TIMEOUT_SECONDS
    )

    message = await start_error(store)

    assert message.startswith(f"cannot reach Weaviate at {url}: ")


async def test_a_wrong_grpc_port_stops_start_naming_grpc_and_the_address(
    weaviate_server: WeaviateServer, collection: str, closed_port: int
) -> None:
    store = WeaviateVectorStore(
        weaviate_server.url,
        weaviate_server.api_key,
        DIMENSIONS,
        collection=collection,
        timeout_seconds=TIMEOUT_SECONDS,
        grpc_port=closed_port,
    )

    message = await start_error(store)

    assert message.startswith(
        f"cannot reach Weaviate's gRPC API at 127.0.0.1:{closed_port} (plaintext): UNAVAILABLE"
    )


async def test_grpc_tls_against_a_plaintext_grpc_port_stops_start_naming_tls(
    weaviate_server: WeaviateServer, collection: str
) -> None:
    store = WeaviateVectorStore(
        weaviate_server.url,
        weaviate_server.api_key,
        DIMENSIONS,
        collection=collection,
        timeout_seconds=TIMEOUT_SECONDS,
        grpc_port=weaviate_server.grpc_port,
        grpc_secure=True,
    )

    message = await start_error(store)

    assert message.startswith(
        f"cannot reach Weaviate's gRPC API at 127.0.0.1:{weaviate_server.grpc_port} (TLS)"
    )


async def test_a_grpc_host_of_its_own_is_the_one_probed(
    weaviate_server: WeaviateServer, collection: str
) -> None:
    store = WeaviateVectorStore(
        weaviate_server.url,
        weaviate_server.api_key,
        DIMENSIONS,
        collection=collection,
        timeout_seconds=TIMEOUT_SECONDS,
        grpc_host="grpc.beacon.invalid",
        grpc_port=weaviate_server.grpc_port,
    )

    message = await start_error(store)

    assert message.startswith(
        f"cannot reach Weaviate's gRPC API at grpc.beacon.invalid:{weaviate_server.grpc_port}"
    )
