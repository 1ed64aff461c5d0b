"""GraphQL overhead: requests/second of `{ me { id } }` against a bare JSON route.

Both endpoints do the same work that matters: read the `Authorization: Bearer` header and
call `services.identity.authenticate(token)` (JWT decode plus one user-row read). The bare
route then returns `{"data": {"me": {"id": ...}}}` itself; `/graphql` goes through
Strawberry (parse, validate, context, loaders, resolver, serialisation). Both routes live
on the same Starlette app object, so they share the same middleware, and are served by one
real uvicorn server on 127.0.0.1 in this process, hit by one keep-alive httpx client with
N concurrent workers for a fixed time per run. Runs alternate (bare, graphql, bare,
graphql, ...) after a warm-up; the medians are compared.

The database is a throw-away SQLite file, migrated on the spot; a user is signed up
directly through `services.identity.sign_up` to get an access token.

Run from the repository root:

    .venv/bin/python -m bench.graphql_overhead [--seconds 5] [--concurrency 8] [--strict]

Prints both rates and `ratio graphql/bare`, with PASS/FAIL against the target (>= 0.5).
Exits 0 either way unless `--strict` is given; exits 2 if any response is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.app import create_app
from cli.scratch import scratch_sqlite
from domain.bootstrap import Services, build_services
from domain.database import apply_migrations
from domain.errors import AuthenticationFailed
from domain.settings import Settings

TARGET = 0.5
ROUNDS = 3  # bare/graphql pairs measured after the warm-up (order alternates)
WARMUP_SECONDS = 1.0
QUERY = "{ me { id } }"
HOST = "127.0.0.1"


class BenchError(Exception):
    """A wrong response: the measurement is meaningless, so the run stops."""


@dataclass(frozen=True)
class Target:
    """One endpoint under test and how to call it."""

    name: str
    method: str
    path: str
    json: dict[str, Any] | None


@dataclass(frozen=True)
class RunResult:
    """One timed run of one endpoint."""

    requests: int
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def bare_route(services: Services) -> Route:
    """`GET /bare`: the same token check as /graphql, answered without GraphQL."""

    async def bare(request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return JSONResponse({"data": {"me": None}, "errors": [{"message": "no token"}]})
        try:
            user = (await services.identity.authenticate(token.strip())).user
        except AuthenticationFailed as error:
            return JSONResponse({"data": {"me": None}, "errors": [{"message": error.message}]})
        return JSONResponse({"data": {"me": {"id": str(user.id)}}})

    return Route("/bare", bare, methods=["GET", "POST"])


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


async def timed_run(
    client: httpx.AsyncClient, target: Target, expected_id: str, seconds: float, concurrency: int
) -> RunResult:
    """`concurrency` workers send requests back to back until `seconds` have passed."""
    deadline = time.perf_counter() + seconds
    counts = [0] * concurrency
    errors = [0] * concurrency
    first_error: list[str] = []

    async def worker(index: int) -> None:
        while time.perf_counter() < deadline:
            try:
                response = await client.request(target.method, target.path, json=target.json)
                ok = response.status_code == 200
                body = response.json() if ok else None
                ok = ok and isinstance(body, dict) and not body.get("errors")
                ok = ok and ((body or {}).get("data") or {}).get("me", {}).get("id") == expected_id
            except (httpx.HTTPError, ValueError, AttributeError) as error:
                ok = False
                response = None
                if not first_error:
                    first_error.append(f"{target.name}: {error!r}")
            if ok:
                counts[index] += 1
            else:
                errors[index] += 1
                if not first_error and response is not None:
                    first_error.append(
                        f"{target.name}: HTTP {response.status_code} {response.text[:300]}"
                    )
                return  # one wrong answer invalidates the run; stop this worker

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    result = RunResult(requests=sum(counts), errors=sum(errors), seconds=elapsed)
    if result.errors:
        raise BenchError(f"{result.errors} bad response(s); first: {first_error[0]}")
    return result


async def bench(seconds: float, concurrency: int) -> tuple[list[float], list[float]]:
    """Set everything up, measure, tear down; returns (bare rates, graphql rates)."""
    async with scratch_sqlite() as database_url:
        await apply_migrations(database_url)
        with tempfile.TemporaryDirectory(prefix="beacon-bench-") as data_dir:
            settings = Settings(
                data_dir=Path(data_dir),
                database_url=database_url,
                secret_key=secrets.token_urlsafe(48),
                bcrypt_rounds=4,
            )
            services = build_services(settings)
            await services.database.connect()
            try:
                return await _serve_and_measure(settings, services, seconds, concurrency)
            finally:
                await services.database.close()


async def _serve_and_measure(
    settings: Settings, services: Services, seconds: float, concurrency: int
) -> tuple[list[float], list[float]]:
    session = await services.identity.sign_up(
        "Bench Org", f"bench-{secrets.token_hex(4)}@example.com", "correct horse battery staple"
    )
    user_id = str(session.user.id)
    app = create_app(settings, services)
    app.router.routes.append(bare_route(services))

    port = free_port()
    config = uvicorn.Config(
        app, host=HOST, port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):  # up to 10 s
            if server.started:
                break
            if serving.done():
                serving.result()
            await asyncio.sleep(0.05)
        else:
            raise BenchError("uvicorn did not start")

        bare = Target("bare", "POST", "/bare", None)
        graphql = Target("graphql", "POST", "/graphql", {"query": QUERY})
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(
            base_url=f"http://{HOST}:{port}",
            headers={"authorization": f"Bearer {session.access_token}"},
            limits=limits,
            timeout=30.0,
        ) as client:
            for target in (bare, graphql):  # warm-up: connections, caches, JIT-ish paths
                await timed_run(client, target, user_id, WARMUP_SECONDS, concurrency)
            bare_rates: list[float] = []
            graphql_rates: list[float] = []
            for round_ in range(ROUNDS):
                order = (bare, graphql) if round_ % 2 == 0 else (graphql, bare)
                for target in order:
                    result = await timed_run(client, target, user_id, seconds, concurrency)
                    (bare_rates if target is bare else graphql_rates).append(result.rate)
                    print(
                        f"  round {round_ + 1} {target.name:<8} {result.rate:9.1f} req/s "
                        f"({result.requests} in {result.seconds:.2f} s)",
                        flush=True,
                    )
        return bare_rates, graphql_rates
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(serving, timeout=10)
        except TimeoutError:
            serving.cancel()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="duration of each timed run (default 5)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="concurrent client workers (default 8)"
    )
    parser.add_argument(
        "--strict", action="store_true", help=f"exit 1 when the ratio is below {TARGET}"
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be in (0, 600]")
    if not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be in [1, 256]")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table and the verdict."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    print(
        f"GraphQL overhead: {ROUNDS} alternating rounds of {args.seconds:g} s per endpoint, "
        f"concurrency {args.concurrency}, after {WARMUP_SECONDS:g} s warm-up each",
        flush=True,
    )
    try:
        bare_rates, graphql_rates = asyncio.run(bench(args.seconds, args.concurrency))
    except BenchError as error:
        print(f"ABORTED: {error}", file=sys.stderr)
        return 2
    bare = statistics.median(bare_rates)
    graphql = statistics.median(graphql_rates)
    ratio = graphql / bare if bare else 0.0
    passed = ratio >= TARGET
    print()
    print(f"{'endpoint':<10}{'median req/s':>14}{'runs':>40}")
    print(f"{'bare':<10}{bare:>14.1f}{'  '.join(f'{r:.1f}' for r in bare_rates):>40}")
    print(f"{'graphql':<10}{graphql:>14.1f}{'  '.join(f'{r:.1f}' for r in graphql_rates):>40}")
    print(f"ratio graphql/bare = {ratio:.2f} (target >= {TARGET}) {'PASS' if passed else 'FAIL'}")
    return 1 if args.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
