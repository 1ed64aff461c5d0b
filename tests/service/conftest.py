"""The service tier: the domain's services on the real database, every other adapter a fake
(tests/fakes), so it runs in seconds and imports none of the heavy packages."""

from collections.abc import AsyncIterator, Iterator

import pytest

from domain.bootstrap import Services
from domain.settings import Settings
from tests.support.databases import empty_tables
from tests.support.fake_services import Fakes, fake_services
from tests.support.heavy_imports import importing_no_heavy_package


@pytest.fixture(autouse=True)
def imports_no_heavy_package(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the service test that imports a heavy package while it runs."""
    with importing_no_heavy_package(request, "service"):
        yield


@pytest.fixture
def fakes() -> Fakes:
    """The adapters of the test's services."""
    return Fakes()


@pytest.fixture
async def services(settings: Settings, fakes: Fakes) -> AsyncIterator[Services]:
    """Connected services on the fakes and an empty database (the shared fixture's, with the
    fakes in place of the real adapters)."""
    built = fake_services(settings, fakes)
    await built.start()
    await empty_tables(built.database)
    try:
        yield built
    finally:
        await fakes.close()
        await built.close()
