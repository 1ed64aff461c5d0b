"""The unit tier: fast, and free of the heavy packages the adapters load."""

import sys
from collections.abc import Iterator

import pytest

# What the real adapters load (the model, the parser, the vector store): seconds to import and
# gigabytes on disk. Unit tests run without them; tests that need one live in tests/integration.
HEAVY_PACKAGES = ("torch", "docling", "sentence_transformers", "lancedb")


def heavy_packages_loaded() -> set[str]:
    """The heavy packages this process has imported."""
    return {name for name in HEAVY_PACKAGES if name in sys.modules}


# The heavy packages loaded by the time collection ended: what importing the tier's modules
# loaded, when this process collected no other tier.
LOADED_BY_COLLECTION = pytest.StashKey[set[str]]()


def pytest_collection_finish(session: pytest.Session) -> None:
    session.stash[LOADED_BY_COLLECTION] = heavy_packages_loaded()


@pytest.fixture(autouse=True)
def imports_no_heavy_package(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the unit test that imports a heavy package while it runs (tests/unit/test_tier.py
    checks what the tier's modules import when they load)."""
    before = heavy_packages_loaded()
    yield
    imported = heavy_packages_loaded() - before
    if imported:
        pytest.fail(
            f"{request.node.nodeid} imported {', '.join(sorted(imported))}: the unit tier imports "
            "none of the heavy packages; import it lazily in the adapter that needs it, or move "
            "the test to tests/integration"
        )
