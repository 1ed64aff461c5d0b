"""Load: simulated users signing in, listing, searching, asking and uploading, all at once.

    .venv/bin/python -m bench.load [--users 50] [--duration 120] [--organizations 5]
                                   [--think 0.2] [--bcrypt-rounds 12]

Starts a real `beacon serve` process on a free loopback port (the embedded default: SQLite,
LanceDB and the in-process worker, in a scratch data directory). It inherits the shell's
BEACON_* variables, so after `eval "$(scripts/services env)"` the same run exercises
PostgreSQL, Redis and Weaviate instead (a separate `beacon worker` must then be running).

All users come from 127.0.0.1, so the bench raises the throttles that count per client
address (BEACON_LOGIN_RATE_PER_ADDRESS, BEACON_SIGNUP_RATE_PER_ADDRESS): behind a real
deployment each person has an address of their own. It says so in its output. Every other
limit is as shipped: per-account login throttling, query cost budgets, token budgets.

Set-up, not timed: `--organizations` organisations sign up; their ADMINs create the users
(spread over the organisations) and upload a few documents, and the bench waits until they
are READY. Then `--users` users run concurrently for `--duration` seconds, each in a loop:
pick an operation by weight, run it over its own keep-alive httpx connection, wait a random
think time (uniform in [0, 2 x --think] s):

    sign-in   login mutation (bcrypt at --bcrypt-rounds, 12 as shipped)
    list      documents(first: 20) with titles, statuses and uploaders
    search    search(query, first: 10) with the hits' documents
    ask       the ask mutation (extractive answers unless BEACON_LLM_BASE_URL is set)
    upload    uploadDocument, a GraphQL multipart request with a small new Markdown file

It prints per operation: count, throughput, p50/p95/p99 latency, and errors by kind
(HTTP status, GraphQL error code, error member of a result union, transport failure).
Exits 1 when any response was a 5xx, 2 when the machinery itself fails.
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.graphql_overhead import HOST, free_port
from cli.eval_metrics import percentile

SEED = 20261203
PASSWORD = "load bench password 1234"
WEIGHTS = {"sign-in": 5, "list": 35, "search": 30, "ask": 15, "upload": 15}
SEED_DOCUMENTS = 3  # per organisation, READY before the clock starts
REQUEST_TIMEOUT = 60.0
ADDRESS_RATE = "1000000/minute"
TOPICS = (
    "travel expenses are reimbursed within thirty days",
    "receipts are required for every expense over twenty five euros",
    "new employees receive twenty five vacation days each year",
    "the office opens at eight and closes at six",
    "laptops are replaced every three years",
    "trains are preferred over planes for short journeys",
)
QUESTIONS = (
    "When are travel expenses reimbursed?",
    "Are receipts required?",
    "How many vacation days do new employees get?",
    "When does the office open?",
    "How often are laptops replaced?",
)

SIGN_UP = """mutation($input: SignUpInput!) { signUp(input: $input) { __typename
  ... on AuthPayload { accessToken } ... on Error { code message } } }"""
CREATE_USER = """mutation($input: CreateUserInput!) { createUser(input: $input) { __typename
  ... on Error { code message } } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { __typename
  ... on AuthPayload { accessToken } ... on Error { code message } } }"""
LIST = """{ documents(first: 20) { edges { node { id title status uploadedBy { id } } } } }"""
SEARCH = """query($q: String!) { search(query: $q, first: 10) { text score
  document { id title } } }"""
ASK = """mutation($q: String!) { ask(input: {question: $q}) { __typename
  ... on Answer { text citations { snippet } } ... on Error { code message } } }"""
UPLOAD = """mutation($file: Upload!) { uploadDocument(input: {file: $file}) { __typename
  ... on UploadDocumentSuccess { document { id status } } ... on Error { code message } } }"""
STATUS = "query($id: ID!) { document(id: $id) { status } }"


class BenchError(Exception):
    """The machinery failed (server did not start, set-up refused): no measurement."""


def pick(weights: dict[str, int], rng: random.Random) -> str:
    """One operation name, drawn by weight."""
    names = list(weights)
    return rng.choices(names, weights=[weights[name] for name in names])[0]


@dataclass
class Tally:
    """What one operation did during the run."""

    seconds: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.seconds)

    @property
    def server_errors(self) -> int:
        """Responses with a 5xx status."""
        return sum(n for kind, n in self.errors.items() if kind.startswith("HTTP 5"))


def classify(response: httpx.Response, field_name: str | None) -> str | None:
    """None for a good answer, else a short name for what went wrong."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return "not JSON"
    errors = body.get("errors")
    if errors:
        code = (errors[0].get("extensions") or {}).get("code")
        return f"GraphQL {code or errors[0].get('message', '?')[:40]}"
    if field_name is not None:
        result = (body.get("data") or {}).get(field_name) or {}
        if "code" in result:  # an error member of the result union
            return f"{result.get('__typename')} {result['code']}"
    return None


def summary(tallies: dict[str, Tally], elapsed: float) -> list[str]:
    """The report's table, one line per operation and a total."""
    lines = [
        f"{'operation':<10}{'count':>8}{'ops/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}  kinds"
    ]
    everything = Tally()
    for name, tally in tallies.items():
        everything.seconds += tally.seconds
        everything.errors += tally.errors
        lines.append(_line(name, tally, elapsed))
    lines.append(_line("total", everything, elapsed))
    return lines


def _line(name: str, tally: Tally, elapsed: float) -> str:
    ms = [s * 1000 for s in tally.seconds] or [0.0]
    kinds = ", ".join(f"{kind} x{n}" for kind, n in tally.errors.most_common())
    rate = tally.count / elapsed if elapsed > 0 else 0.0
    return (
        f"{name:<10}{tally.count:>8}{rate:>9.1f}{percentile(ms, 50):>9.0f}"
        f"{percentile(ms, 95):>9.0f}{percentile(ms, 99):>9.0f}"
        f"{sum(tally.errors.values()):>8}  {kinds}"
    )


@contextmanager
def beacon_server(data_dir: Path, bcrypt_rounds: int, ready_seconds: float = 120) -> Iterator[str]:
    """`beacon serve` on a free loopback port; yields its base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "BEACON_DATA_DIR": str(data_dir),
        "BEACON_BCRYPT_ROUNDS": str(bcrypt_rounds),
        "BEACON_LOGIN_RATE_PER_ADDRESS": ADDRESS_RATE,
        "BEACON_SIGNUP_RATE_PER_ADDRESS": ADDRESS_RATE,
    }
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "cli.main", "serve", "--host", HOST, "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://{HOST}:{port}"
        try:
            deadline = time.monotonic() + ready_seconds
            while True:
                if process.poll() is not None:
                    raise BenchError(f"beacon serve exited:\n{log_path.read_text()[-3000:]}")
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise BenchError(f"beacon serve was not ready within {ready_seconds:g} s")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def graphql(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    """A set-up call: anything but a clean answer stops the bench."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json() if response.status_code == 200 else {}
    if response.status_code != 200 or body.get("errors"):
        raise BenchError(f"set-up failed: HTTP {response.status_code} {response.text[:500]}")
    return body["data"]  # type: ignore[no-any-return]


async def upload(
    http: httpx.AsyncClient, token: str, rng: random.Random
) -> tuple[httpx.Response, str]:
    """A new small Markdown document as a GraphQL multipart request."""
    lines = [rng.choice(TOPICS) + f" (note {secrets.token_hex(4)})." for _ in range(8)]
    text = "# Notes\n\n" + "\n\n".join(lines) + "\n"
    operations = {"query": UPLOAD, "variables": {"file": None}}
    response = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (f"notes-{secrets.token_hex(4)}.md", text.encode(), "text/markdown")},
        headers={"authorization": f"Bearer {token}", "apollo-require-preflight": "true"},
    )
    return response, "uploadDocument"


@dataclass
class User:
    """A simulated person: an account and the organisation's admin who made it."""

    email: str
    token: str = ""


async def set_up(
    base: str, users: int, organizations: int, rng: random.Random
) -> tuple[list[User], int]:
    """Organisations, their users and READY documents; returns the users and the documents."""
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as http:
        admins: list[str] = []
        run = secrets.token_hex(3)
        for index in range(organizations):
            data = await graphql(
                http,
                SIGN_UP,
                {
                    "input": {
                        "organizationName": f"Load {run} {index}",
                        "email": f"admin-{run}-{index}@load.example.com",
                        "password": PASSWORD,
                    }
                },
            )
            if data["signUp"]["__typename"] != "AuthPayload":
                raise BenchError(f"sign-up refused: {data['signUp']}")
            admins.append(data["signUp"]["accessToken"])
        people = []
        for index in range(users):
            email = f"user-{run}-{index}@load.example.com"
            data = await graphql(
                http,
                CREATE_USER,
                {"input": {"email": email, "password": PASSWORD, "role": "USER"}},
                admins[index % organizations],
            )
            if data["createUser"]["__typename"] != "User":
                raise BenchError(f"createUser refused: {data['createUser']}")
            people.append(User(email))
        pending: list[tuple[str, str]] = []
        for token in admins:
            for _ in range(SEED_DOCUMENTS):
                response, _ = await upload(http, token, rng)
                result = response.json()["data"]["uploadDocument"]
                if result["__typename"] != "UploadDocumentSuccess":
                    raise BenchError(f"seed upload refused: {result}")
                pending.append((token, result["document"]["id"]))
        deadline = time.monotonic() + 300
        while pending:
            token, document_id = pending[-1]
            data = await graphql(http, STATUS, {"id": document_id}, token)
            status = data["document"]["status"]
            if status == "FAILED":
                raise BenchError(f"seed document {document_id} FAILED")
            if status == "READY":
                pending.pop()
            elif time.monotonic() > deadline:
                raise BenchError("seed documents not READY within 300 s")
            else:
                await asyncio.sleep(0.2)
        return people, organizations * SEED_DOCUMENTS


Outcome = tuple[httpx.Response, str]  # the response and the root field it answers
Operation = Callable[[httpx.AsyncClient, User, random.Random], Awaitable[Outcome]]


async def sign_in(
    http: httpx.AsyncClient, user: User, rng: random.Random
) -> tuple[httpx.Response, str]:
    response = await http.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"input": {"email": user.email, "password": PASSWORD}}},
    )
    if response.status_code == 200:
        payload = ((response.json().get("data") or {}).get("login")) or {}
        user.token = payload.get("accessToken") or user.token
    return response, "login"


def _query(
    query: str, field_name: str, variables: Callable[[random.Random], dict[str, Any]]
) -> Operation:
    async def run(
        http: httpx.AsyncClient, user: User, rng: random.Random
    ) -> tuple[httpx.Response, str]:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables(rng)},
            headers={"authorization": f"Bearer {user.token}"},
        )
        return response, field_name

    return run


async def _upload(
    http: httpx.AsyncClient, user: User, rng: random.Random
) -> tuple[httpx.Response, str]:
    return await upload(http, user.token, rng)


OPERATIONS: dict[str, Operation] = {
    "sign-in": sign_in,
    "list": _query(LIST, "documents", lambda rng: {}),
    "search": _query(SEARCH, "search", lambda rng: {"q": rng.choice(QUESTIONS)}),
    "ask": _query(ASK, "ask", lambda rng: {"q": rng.choice(QUESTIONS)}),
    "upload": _upload,
}


async def simulate(
    base: str, user: User, seed: int, until: float, think: float, tallies: dict[str, Tally]
) -> None:
    """One user's loop: sign in, then operations by weight until the clock runs out."""
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as http:
        name = "sign-in"
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                response, field_name = await OPERATIONS[name](http, user, rng)
                kind = classify(response, field_name)
            except httpx.HTTPError as error:
                kind = f"transport {type(error).__name__}"
            tallies[name].seconds.append(time.monotonic() - started)
            if kind is not None:
                tallies[name].errors[kind] += 1
            await asyncio.sleep(rng.uniform(0, 2 * think))
            name = pick(WEIGHTS, rng)


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(SEED)
    with (
        tempfile.TemporaryDirectory(prefix="beacon-load-") as scratch,
        beacon_server(Path(scratch), args.bcrypt_rounds) as base,
    ):
        print(f"server: {base} (data in {scratch})", flush=True)
        people, documents = await set_up(base, args.users, args.organizations, rng)
        print(
            f"set-up: {args.organizations} organisations, {len(people)} users, "
            f"{documents} READY documents; running {args.duration:g} s",
            flush=True,
        )
        tallies = {name: Tally() for name in WEIGHTS}
        started = time.monotonic()
        until = started + args.duration
        await asyncio.gather(
            *(
                simulate(base, person, SEED + index, until, args.think, tallies)
                for index, person in enumerate(people)
            )
        )
        elapsed = time.monotonic() - started
    print()
    for line in summary(tallies, elapsed):
        print(line)
    server_errors = sum(tally.server_errors for tally in tallies.values())
    print(f"\n5xx responses: {server_errors} (target 0) {'PASS' if not server_errors else 'FAIL'}")
    return 1 if server_errors else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument(
        "--duration", type=float, default=120.0, help="seconds of load (default 120)"
    )
    parser.add_argument(
        "--organizations", type=int, default=5, help="organisations the users share (default 5)"
    )
    parser.add_argument(
        "--think", type=float, default=0.2, help="mean think time between operations, s"
    )
    parser.add_argument(
        "--bcrypt-rounds", type=int, default=12, help="the server's bcrypt cost (default 12)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 1000:
        parser.error("--users must be in [1, 1000]")
    if not 0 < args.duration <= 3600:
        parser.error("--duration must be in (0, 3600]")
    if not 1 <= args.organizations <= args.users:
        parser.error("--organizations must be in [1, --users]")
    if args.think < 0:
        parser.error("--think must be >= 0")
    if not 4 <= args.bcrypt_rounds <= 16:
        parser.error("--bcrypt-rounds must be in [4, 16]")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the load and print the table and the verdict."""
    args = parse_args(argv)
    print(
        f"Load: {args.users} users for {args.duration:g} s, think {args.think:g} s, weights "
        + ", ".join(f"{name} {weight}" for name, weight in WEIGHTS.items())
    )
    print(
        "All users share 127.0.0.1: the server's per-address throttles are raised to "
        f"{ADDRESS_RATE} (BEACON_LOGIN_RATE_PER_ADDRESS, BEACON_SIGNUP_RATE_PER_ADDRESS); "
        "every other limit is as shipped.",
        flush=True,
    )
    try:
        return asyncio.run(run(args))
    except BenchError as error:
        print(f"ABORTED: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
