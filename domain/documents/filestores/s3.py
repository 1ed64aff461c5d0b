"""Production's file store: a bucket of any S3-compatible object store, through obstore.

Why obstore: it binds the Rust `object_store` crate of the Apache Arrow project (the storage
layer under DataFusion, delta-rs and LanceDB), ships one typed wheel with no botocore or
aiohttp, is async-native, and brings what would otherwise be hand-written: multipart uploads
streamed from a file part by part, ranged streaming downloads, and retries with exponential
backoff and jitter. It speaks plain S3 (path-style requests, SigV4), so any compatible server
works: AWS, versitygw (what `scripts/services` runs), Ceph RGW, Garage, MinIO.
"""

import asyncio
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import obstore
from obstore.store import S3Store

from domain.documents.filestores.base import (
    StagedFile,
    StoredBytes,
    StoredFileMissing,
    checked_key,
    new_key,
)

# Parts of 8 MiB, 4 in flight: an upload holds at most ~32 MiB in memory, however large.
_PART_BYTES = 8 * 1024 * 1024
_PARTS_IN_FLIGHT = 4
# Downloads are passed on to the client as they arrive, in pieces of at least this size.
_STREAM_BYTES = 256 * 1024


class ObjectStoreError(RuntimeError):
    """The object store refused or failed a request; the message names the store and why."""


class S3FileStore:
    """Keeps files in `s3://bucket/<prefix><key>`; downloads go to a temporary directory."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint: str | None,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        download_dir: Path,
        prefix: str = "files/",
        timeout_seconds: float = 60,
        max_retries: int = 3,
    ) -> None:
        self._prefix = prefix
        self._where = f"s3://{bucket}" + (f" at {endpoint}" if endpoint else "")
        self._download_dir = download_dir
        credentials = (
            {"access_key_id": access_key_id, "secret_access_key": secret_access_key or ""}
            if access_key_id
            else {}
        )
        self._store = S3Store(
            bucket,
            endpoint=endpoint,
            region=region,
            # Path-style requests: what self-hosted servers without wildcard DNS understand.
            virtual_hosted_style_request=False,
            client_options={
                "allow_http": bool(endpoint and endpoint.startswith("http://")),
                "connect_timeout": timedelta(seconds=5),
                "timeout": timedelta(seconds=timeout_seconds),
            },
            retry_config={
                "max_retries": max_retries,
                "retry_timeout": timedelta(seconds=timeout_seconds),
                "backoff": {"init_backoff": timedelta(milliseconds=200), "base": 2},
            },
            **credentials,  # type: ignore[arg-type]
        )

    async def start(self) -> None:
        """List one object: proves the bucket exists and the credentials may read it."""
        try:
            stream = obstore.list(self._store, prefix=self._prefix, chunk_size=1)
            async for _ in stream:
                break
        except Exception as error:
            raise ObjectStoreError(f"object store {self._where}: {_reason(error)}") from None

    async def close(self) -> None:
        """Nothing to release: the client's connection pool goes with it."""

    async def keep(self, staged: StagedFile) -> str:
        """Upload the staged file (multipart when large) under a new key, then remove it."""
        key = new_key()
        try:
            await obstore.put_async(
                self._store,
                self._prefix + key,
                staged.path,
                chunk_size=_PART_BYTES,
                max_concurrency=_PARTS_IN_FLIGHT,
            )
        except Exception as error:
            # A failed multipart upload is aborted by the client: no object under the key.
            raise ObjectStoreError(f"upload to {self._where} failed: {_reason(error)}") from None
        staged.path.unlink(missing_ok=True)
        return key

    @asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        """Download the object to a temporary file, removed when the block ends."""
        name = self._prefix + checked_key(key)
        self._download_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self._download_dir) as folder:
            path = Path(folder) / key
            try:
                result = await obstore.get_async(self._store, name)
                with path.open("wb") as out:
                    async for part in result.stream(min_chunk_size=_PART_BYTES):
                        await asyncio.to_thread(_write, out, part)
            except FileNotFoundError:
                raise StoredFileMissing(key) from None
            except Exception as error:
                raise ObjectStoreError(
                    f"download from {self._where} failed: {_reason(error)}"
                ) from None
            yield path

    async def read(self, key: str) -> StoredBytes:
        """The object streamed from the store as it arrives (one GET; obstore retries it)."""
        name = self._prefix + checked_key(key)
        try:
            result = await obstore.get_async(self._store, name)
        except FileNotFoundError:
            raise StoredFileMissing(key) from None
        except Exception as error:
            raise ObjectStoreError(
                f"download from {self._where} failed: {_reason(error)}"
            ) from None
        return StoredBytes(result.meta["size"], self._pieces(result.stream(_STREAM_BYTES)))

    async def _pieces(self, stream: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
        try:
            async for piece in stream:
                yield piece
        except Exception as error:
            raise ObjectStoreError(
                f"download from {self._where} failed: {_reason(error)}"
            ) from None

    async def delete(self, key: str) -> None:
        """Remove the object; S3 answers a delete of a missing key with success."""
        name = self._prefix + checked_key(key)
        try:
            await obstore.delete_async(self._store, name)
        except FileNotFoundError:
            return
        except Exception as error:
            raise ObjectStoreError(f"delete in {self._where} failed: {_reason(error)}") from None

    async def keys(self, older_than: timedelta = timedelta(0)) -> set[str]:
        """Every key stored at least `older_than` ago (the listing pages through the bucket)."""
        cutoff = datetime.now(UTC) - older_than
        found: set[str] = set()
        try:
            async for page in obstore.list(self._store, prefix=self._prefix, chunk_size=1000):
                found.update(
                    item["path"].removeprefix(self._prefix)
                    for item in page
                    if item["last_modified"] <= cutoff
                )
        except Exception as error:
            raise ObjectStoreError(f"listing {self._where} failed: {_reason(error)}") from None
        return found


def _write(out: BinaryIO, part: object) -> None:
    out.write(memoryview(part))  # type: ignore[arg-type]  # obstore's Bytes is a buffer


def _reason(error: Exception) -> str:
    """The first line of the client's message: the rest is a Rust debug dump."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else 'no detail'}"
