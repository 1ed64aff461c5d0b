"""Where the suite finds Weaviate and the object store, and what it does when a service is missing.

Tests read only `BEACON_TEST_*` variables (tests/conftest.py removes every other `BEACON_*`
one): `./scripts/services start` prints both sets, and a person's shell exports must never
switch the suite's stores.
"""

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from domain.documents.filestores.s3 import S3FileStore

# In CI (`.ci/run` starts every service first) a missing service is a failure, not a skip.
SERVICES_REQUIRED = bool(os.environ.get("CI"))


def require(reason: str | None) -> None:
    """Skip the test with `reason` (fail it in CI); nothing when `reason` is None."""
    if reason is None:
        return
    if SERVICES_REQUIRED:
        pytest.fail(f"{reason} (CI starts every service with ./scripts/services)")
    pytest.skip(reason)


@dataclass(frozen=True)
class WeaviateServer:
    """The test Weaviate: REST URL, API key and gRPC port."""

    url: str
    api_key: str | None
    grpc_port: int


@dataclass(frozen=True)
class ObjectStoreServer:
    """The test S3-compatible server and the bucket the suite may fill."""

    endpoint: str
    region: str
    bucket: str
    access_key_id: str
    secret_access_key: str


def weaviate_server() -> WeaviateServer | None:
    """The configured test Weaviate, or None."""
    url = os.environ.get("BEACON_TEST_WEAVIATE_URL")
    if not url:
        return None
    return WeaviateServer(
        url=url,
        api_key=os.environ.get("BEACON_TEST_WEAVIATE_API_KEY") or None,
        grpc_port=int(os.environ.get("BEACON_TEST_WEAVIATE_GRPC_PORT", "50051")),
    )


def object_store_server() -> ObjectStoreServer | None:
    """The configured test object store, or None."""
    endpoint = os.environ.get("BEACON_TEST_S3_ENDPOINT")
    if not endpoint:
        return None
    return ObjectStoreServer(
        endpoint=endpoint,
        region=os.environ.get("BEACON_TEST_S3_REGION", "us-east-1"),
        bucket=os.environ.get("BEACON_TEST_S3_BUCKET", "beacon-test"),
        access_key_id=os.environ.get("BEACON_TEST_S3_ACCESS_KEY_ID", ""),
        secret_access_key=os.environ.get("BEACON_TEST_S3_SECRET_ACCESS_KEY", ""),
    )


def require_weaviate() -> WeaviateServer:
    """The test Weaviate, or skip (fail in CI) saying how to get one."""
    server = weaviate_server()
    if server is None:
        require('Weaviate is not configured: eval "$(./scripts/services start)" sets it up')
    assert server is not None
    return server


def require_object_store() -> ObjectStoreServer:
    """The test object store, or skip (fail in CI) saying how to get one."""
    server = object_store_server()
    if server is None:
        require('no object store: eval "$(./scripts/services start)" sets one up')
    assert server is not None
    return server


def s3_file_store(
    server: ObjectStoreServer,
    download_dir: Path,
    cls: type[S3FileStore] = S3FileStore,
    **overrides: Any,
) -> S3FileStore:
    """An S3 file store on the test server, under a prefix of its own (unless overridden)."""
    values: dict[str, Any] = {
        "endpoint": server.endpoint,
        "region": server.region,
        "access_key_id": server.access_key_id,
        "secret_access_key": server.secret_access_key,
        "download_dir": download_dir,
        "prefix": f"test-{uuid.uuid4().hex}/",
    }
    values.update(overrides)
    return cls(values.pop("bucket", server.bucket), **values)
