"""The unit tier: fast, and free of the heavy packages the adapters load."""

from collections.abc import Iterator

import pytest

from tests.support.heavy_imports import (
    LOADED_BY_COLLECTION,
    heavy_packages_loaded,
    importing_no_heavy_package,
)


def pytest_collection_finish(session: pytest.Session) -> None:
    session.stash[LOADED_BY_COLLECTION] = heavy_packages_loaded()


@pytest.fixture(autouse=True)
def imports_no_heavy_package(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the unit test that imports a heavy package while it runs."""
    with importing_no_heavy_package(request, "unit"):
        yield
