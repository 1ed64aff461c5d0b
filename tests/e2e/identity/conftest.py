"""Beacon wired to an in-process OpenID provider double (tests/support/oidc_provider.py)."""

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from domain.bootstrap import Services
from domain.identity.oidc import OidcService
from domain.identity.oidc_client import OidcClient
from domain.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.oidc_provider import ProviderDouble


@pytest.fixture
def provider() -> ProviderDouble:
    return ProviderDouble()


@pytest.fixture
async def beacon(
    settings: Settings, services: Services, provider: ProviderDouble
) -> AsyncIterator[httpx.AsyncClient]:
    """Beacon's ASGI app, its OIDC reaching the provider double."""
    oidc = OidcService(services.identity, settings.secret, OidcClient(provider.transport))
    app = create_app(settings, dataclasses.replace(services, oidc=oidc))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://beacon.test") as http:
        yield http


@pytest.fixture
def beacon_graphql(beacon: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(beacon)
