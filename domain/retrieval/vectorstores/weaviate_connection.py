"""Connecting to Weaviate: where its REST and gRPC APIs are, and checking both at start-up.

Design notes (why, not what):

- REST and gRPC are addressed independently: managed Weaviate and proxies often serve gRPC
  on another host (`grpc-...`), port or TLS setting than REST, which `ConnectionParams.from_url`
  cannot express (it reuses the REST host and forces TLS on gRPC whenever REST has it).
- The client's init checks are skipped because they include a request to pypi.org (Beacon needs
  no internet at run time), and with them the gRPC health check. Every search and write goes
  over gRPC, and the client retries an unreachable gRPC address with back-off for up to a
  minute, so without a probe a wrong gRPC port would only show as slow timeouts on the first
  search. `open_client` therefore calls the standard gRPC health service itself.
- Every failure becomes one `WeaviateStartError` naming what failed and where, since it is
  what an operator reads in the start-up log.
"""

import asyncio
from urllib.parse import urlsplit

import grpc  # type: ignore[import-untyped]
from weaviate import WeaviateAsyncClient
from weaviate.auth import Auth
from weaviate.classes.init import AdditionalConfig, Timeout
from weaviate.connect.base import ConnectionParams
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateBaseError

DEFAULT_GRPC_PORT = 50051
_HEALTH_CHECK = "/grpc.health.v1.Health/Check"
# grpc.health.v1 messages, encoded by hand to need no generated code: the request is empty
# (all services), and a reply with `status = SERVING` (field 1, enum value 1) is these bytes.
_HEALTH_REQUEST = b""
_SERVING = b"\x08\x01"


class WeaviateStartError(RuntimeError):
    """Beacon cannot start on this Weaviate; the message names what failed and where."""


def connection_params(
    url: str,
    *,
    grpc_host: str | None = None,
    grpc_port: int = DEFAULT_GRPC_PORT,
    grpc_secure: bool | None = None,
) -> ConnectionParams:
    """Where REST (`url`) and gRPC are; gRPC defaults to the URL's host and TLS setting."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"Weaviate URL {url!r}: the scheme must be http or https")
    if not parts.hostname:
        raise ValueError(f"Weaviate URL {url!r} has no host")
    if parts.path not in ("", "/"):
        # The client always calls /v1/... at the root, so a path prefix would silently be lost.
        raise ValueError(f"Weaviate URL {url!r}: a path is not supported, only scheme://host:port")
    secure = parts.scheme == "https"
    http_port = parts.port or (443 if secure else 80)
    grpc_host = grpc_host or parts.hostname
    if (grpc_host, grpc_port) == (parts.hostname, http_port):
        raise ValueError(f"Weaviate's gRPC port {grpc_port} is its REST port: they must differ")
    return ConnectionParams.from_params(
        http_host=parts.hostname,
        http_port=http_port,
        http_secure=secure,
        grpc_host=grpc_host,
        grpc_port=grpc_port,
        grpc_secure=secure if grpc_secure is None else grpc_secure,
    )


def rest_address(params: ConnectionParams) -> str:
    """The REST API as a URL, for messages."""
    scheme = "https" if params.http.secure else "http"
    return f"{scheme}://{params.http.host}:{params.http.port}"


def grpc_address(params: ConnectionParams) -> str:
    """The gRPC API as host:port with its transport, for messages."""
    transport = "TLS" if params.grpc.secure else "plaintext"
    return f"{params.grpc.host}:{params.grpc.port} ({transport})"


async def open_client(
    params: ConnectionParams, api_key: str | None, timeout_seconds: float
) -> WeaviateAsyncClient:
    """A connected client whose REST API (with the key) and gRPC API both answered."""
    client = WeaviateAsyncClient(
        connection_params=params,
        auth_client_secret=Auth.api_key(api_key) if api_key else None,
        additional_config=AdditionalConfig(
            timeout=Timeout(query=timeout_seconds, insert=timeout_seconds, init=timeout_seconds)
        ),
        skip_init_checks=True,
    )
    try:
        try:
            async with asyncio.timeout(timeout_seconds):
                await _check_rest(client, params, api_key)
                await probe_grpc(params, timeout_seconds)
        except TimeoutError as error:
            raise WeaviateStartError(
                f"Weaviate at {rest_address(params)} did not answer within {timeout_seconds:g} s"
            ) from error
    except BaseException:
        await client.close()
        raise
    return client


async def _check_rest(
    client: WeaviateAsyncClient, params: ConnectionParams, api_key: str | None
) -> None:
    where = rest_address(params)
    try:
        # Reads /v1/meta with the key: an unreachable server and a refused key both show here.
        await client.connect()
        ready = await client.is_ready()
    except UnexpectedStatusCodeError as error:
        if error.status_code == 401:
            refused = "refused the API key" if api_key else "needs an API key and none is set"
            raise WeaviateStartError(
                f"Weaviate at {where} {refused}: {_server_message(error)}"
            ) from error
        raise WeaviateStartError(
            f"Weaviate at {where} answered HTTP {error.status_code} at start-up: "
            f"{_server_message(error)}"
        ) from error
    except WeaviateBaseError as error:
        raise WeaviateStartError(
            f"cannot reach Weaviate at {where}: {_root_cause(error)}"
        ) from error
    if not ready:
        raise WeaviateStartError(f"Weaviate at {where} is up but not ready (still starting?)")


async def probe_grpc(params: ConnectionParams, timeout_seconds: float) -> None:
    """Call the gRPC health service; raise `WeaviateStartError` unless it answers SERVING."""
    host, port = params.grpc.host, params.grpc.port
    # The client's channel sets this authority too: TLS names and proxies route by it.
    options = [("grpc.default_authority", host)]
    channel = (
        grpc.aio.secure_channel(f"{host}:{port}", grpc.ssl_channel_credentials(), options=options)
        if params.grpc.secure
        else grpc.aio.insecure_channel(f"{host}:{port}", options=options)
    )
    try:
        check = channel.unary_unary(_HEALTH_CHECK)  # no (de)serializers: bytes in and out
        reply = await check(_HEALTH_REQUEST, timeout=timeout_seconds)
    except grpc.aio.AioRpcError as error:
        raise WeaviateStartError(
            f"cannot reach Weaviate's gRPC API at {grpc_address(params)}: {error.code().name}: "
            f"{error.details()} (check the gRPC host, port and TLS settings)"
        ) from error
    finally:
        await channel.close()
    if reply != _SERVING:
        raise WeaviateStartError(f"Weaviate's gRPC API at {grpc_address(params)} is not serving")


def _server_message(error: UnexpectedStatusCodeError) -> str:
    body: object = error.error
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return str(error)


def _root_cause(error: BaseException) -> str:
    # The client wraps transport errors twice with empty details; the innermost one says why.
    while (inner := error.__cause__ or error.__context__) is not None:
        error = inner
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
