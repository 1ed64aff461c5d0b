"""What every fuzzer checks, and how hard it tries: bounds, seed and the answer's hygiene."""

import os
import re
from collections.abc import Iterable
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, settings

from api.schema import create_schema

SEED = int(os.environ.get("BEACON_TEST_FUZZ_SEED", "20261203"))
EXAMPLES = int(os.environ.get("BEACON_TEST_FUZZ_EXAMPLES", "300"))
REQUEST_DEADLINE = 10.0  # seconds; well under the server's own 30 s request deadline
# Names a message may carry: the schema's own types (ValidationError, NotFoundError, ...).
SCHEMA_TYPES = set(create_schema()._schema.type_map)

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,  # each request has its own deadline (REQUEST_DEADLINE), checked by each test
    database=None,  # no example database: every run replays exactly the seed's examples
    print_blob=True,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=(
        HealthCheck.function_scoped_fixture,  # one platform serves every example on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ),
)

# What must never reach a client: stack traces, SQL and driver or ORM names.
LEAKS = re.compile(
    r"Traceback|File \"|line \d+, in |\bSELECT\b|\bINSERT INTO\b|\bDELETE FROM\b|"
    r"\bUPDATE \w+ SET\b|sqlite|asyncpg|psycopg|tortoise|pydantic|strawberry\.|"
    r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b",
    re.IGNORECASE,
)
OK_STATUSES = (200, 400)


def messages(body: Any) -> Iterable[str]:
    """Every `message` in the body: GraphQL errors and union error members alike."""
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "message" and isinstance(value, str):
                yield value
            else:
                yield from messages(value)
    elif isinstance(body, list):
        for item in body:
            yield from messages(item)


def problems(sent: str, response: httpx.Response) -> list[str]:
    """What is wrong with the server's answer to what was `sent` (nothing, when it behaved)."""
    found: list[str] = []
    if response.status_code not in OK_STATUSES:
        found.append(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return [*found, f"not JSON: {response.text[:200]!r}"]
    for message in messages(body):
        if message == "Unexpected error.":
            found.append("a resolver crashed (masked as 'Unexpected error.')")
            continue
        for leak in LEAKS.finditer(message):
            word = leak.group(0)
            if word in SCHEMA_TYPES or word in sent:
                continue  # a type of our own, or the caller's input echoed back
            found.append(f"{word!r} leaked in {message[:300]!r}")
    return found


def outcome(response: httpx.Response) -> str:
    """A label for Hypothesis' statistics: did the operation run, and how did it end?"""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}, not JSON"
    errors = body.get("errors") or []
    if not errors:
        return f"HTTP {response.status_code}, data only"
    first = errors[0]
    code = (first.get("extensions") or {}).get("code")
    if code:
        return f"HTTP {response.status_code}, error {code}"
    kind = "resolver error" if "path" in first else "refused before execution"
    return f"HTTP {response.status_code}, {kind}"
