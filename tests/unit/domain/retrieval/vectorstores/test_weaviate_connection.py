"""Where the Weaviate store connects: REST from the URL, gRPC from its own settings."""

from pathlib import Path

import pytest

from domain.retrieval.building import build_vector_store
from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from domain.retrieval.vectorstores.weaviate_connection import (
    connection_params,
    grpc_address,
    rest_address,
)
from domain.settings import Settings


def test_grpc_defaults_to_the_urls_host_and_plaintext_for_http() -> None:
    params = connection_params("http://weaviate.internal:8080")

    assert rest_address(params) == "http://weaviate.internal:8080"
    assert grpc_address(params) == "weaviate.internal:50051 (plaintext)"


def test_grpc_defaults_to_tls_for_an_https_url_on_its_default_port() -> None:
    params = connection_params("https://weaviate.example.com")

    assert rest_address(params) == "https://weaviate.example.com:443"
    assert grpc_address(params) == "weaviate.example.com:50051 (TLS)"


def test_grpc_host_port_and_tls_can_each_differ_from_rest() -> None:
    params = connection_params(
        "https://cluster.weaviate.example.com",
        grpc_host="grpc-cluster.weaviate.example.com",
        grpc_port=443,
    )
    assert grpc_address(params) == "grpc-cluster.weaviate.example.com:443 (TLS)"

    # A proxy that terminates TLS for REST but forwards gRPC in plaintext.
    proxied = connection_params("https://weaviate.internal", grpc_port=50051, grpc_secure=False)
    assert rest_address(proxied) == "https://weaviate.internal:443"
    assert grpc_address(proxied) == "weaviate.internal:50051 (plaintext)"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://weaviate.internal", "scheme"),
        ("http://", "no host"),
        ("https://proxy.example.com/weaviate", "path"),
        ("http://weaviate.internal:50051", "gRPC port 50051 is its REST port"),
    ],
)
def test_urls_the_client_would_misread_are_refused(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        connection_params(url)


def test_build_vector_store_hands_the_grpc_settings_to_the_weaviate_store(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        vector_store="weaviate",
        weaviate_url="https://weaviate.example.com",
        weaviate_grpc_host="grpc.weaviate.example.com",
        weaviate_grpc_port=8443,
        weaviate_grpc_secure=False,
    )

    store = build_vector_store(settings)

    assert isinstance(store, WeaviateVectorStore)
    assert rest_address(store.connection_params) == "https://weaviate.example.com:443"
    assert grpc_address(store.connection_params) == "grpc.weaviate.example.com:8443 (plaintext)"
