"""Print which service tiers the suite runs, and why any skips (`python -m tests.support.tiers`)."""

import shutil
from pathlib import Path

import httpx

from tests.support.databases import postgres_unreachable_reason, redis_unreachable_reason
from tests.support.oidc import oidc_unreachable_reason
from tests.support.services import SERVICES_REQUIRED, object_store_server, weaviate_server

_HOW = 'start them with: eval "$(./scripts/services start)"'


def _weaviate_reason() -> str | None:
    server = weaviate_server()
    if server is None:
        return "BEACON_TEST_WEAVIATE_URL is not set"
    try:
        httpx.get(f"{server.url}/v1/.well-known/ready", timeout=3).raise_for_status()
    except httpx.HTTPError as error:
        return f"Weaviate at {server.url} is not ready ({error!r})"
    return None


def _object_store_reason() -> str | None:
    server = object_store_server()
    if server is None:
        return "BEACON_TEST_S3_ENDPOINT is not set"
    try:
        # Any HTTP answer (403 for an unsigned request) shows the server is up.
        httpx.get(server.endpoint, timeout=3)
    except httpx.HTTPError as error:
        return f"the object store at {server.endpoint} is not reachable ({error!r})"
    return None


def _node_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (Path(__file__).resolve().parents[1] / "clients" / "node_modules").is_dir():
        return "npm has not installed tests/clients"
    return None


def main() -> None:
    """One line per tier: runs, or skips with the reason."""
    tiers = {
        "PostgreSQL (second pass, Redis workers)": postgres_unreachable_reason(),
        "Redis (queue, events, throttling)": redis_unreachable_reason(),
        "Weaviate (vector store contract)": _weaviate_reason(),
        "object store (file store contract)": _object_store_reason(),
        "Node clients (urql, Apollo)": _node_reason(),
        "OpenID provider (OIDC sign-in)": oidc_unreachable_reason(),
    }
    missing = SERVICES_REQUIRED and any(tiers.values())
    for tier, reason in tiers.items():
        verdict = "runs" if reason is None else f"{'FAILS' if missing else 'skips'}: {reason}"
        print(f"tier {tier}: {verdict}")
    if any(tiers.values()) and not SERVICES_REQUIRED:
        print(f"tiers: some skip; {_HOW}")


if __name__ == "__main__":
    main()
