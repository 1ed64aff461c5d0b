"""Beacon serves its web app and its own GraphiQL: cached as Vite's build allows, deep links
answered with the app, same-origin only, nothing outside the build folder."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.web import APP_POLICY, GRAPHIQL_POLICY
from domain.bootstrap import Services
from domain.settings import Settings

INDEX = '<!doctype html><div id="root"></div><script src="/assets/app-abc123.js"></script>'
GRAPHIQL = '<!doctype html><div id="graphiql"></div><script src="/assets/gq-def456.js"></script>'
SCRIPT = "console.log('beacon');"
SECRET = "the contents of a file outside the build"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    built = tmp_path / "web" / "dist"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text(INDEX)
    (built / "graphiql.html").write_text(GRAPHIQL)
    (built / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (built / "assets" / "app-abc123.js").write_text(SCRIPT)
    (tmp_path / "web" / "secret.txt").write_text(SECRET)
    return built


@asynccontextmanager
async def client_for(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://beacon.test"
    ) as http:
        yield http


@pytest.fixture
async def web(
    settings: Settings, services: Services, dist: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(settings.model_copy(update={"web_dist": dist}), services) as http:
        yield http


@pytest.fixture
async def unbuilt(
    settings: Settings, services: Services, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    missing = tmp_path / "never-built" / "dist"
    async with client_for(settings.model_copy(update={"web_dist": missing}), services) as http:
        yield http


def assert_hardened_page(response: httpx.Response, policy: str = APP_POLICY) -> None:
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-cache"


async def test_the_app_is_served_at_the_root_uncached_with_a_same_origin_policy(
    web: httpx.AsyncClient,
) -> None:
    response = await web.get("/")

    assert response.status_code == 200
    assert response.text == INDEX
    assert_hardened_page(response)


@pytest.mark.parametrize("path", ["/chat/123", "/documents", "/admin/users", "/index.html"])
async def test_deep_links_are_answered_with_the_app(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)

    assert response.status_code == 200
    assert response.text == INDEX
    assert_hardened_page(response)


async def test_hashed_assets_are_cached_for_a_year(web: httpx.AsyncClient) -> None:
    response = await web.get("/assets/app-abc123.js")

    assert response.status_code == 200
    assert response.text == SCRIPT
    assert response.headers["content-type"].startswith(
        ("text/javascript", "application/javascript")
    )
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_an_unknown_asset_is_a_404_never_the_app(web: httpx.AsyncClient) -> None:
    response = await web.get("/assets/app-000000.js")

    assert response.status_code == 404
    assert INDEX not in response.text


async def test_other_files_of_the_build_get_a_short_cache(web: httpx.AsyncClient) -> None:
    response = await web.get("/favicon.svg")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["cache-control"] == "public, max-age=3600"


@pytest.mark.parametrize(
    "path", ["/graphql/nothing", "/healthz/x", "/readyz/x", "/metrics/x", "/files/x", "/files"]
)
async def test_paths_of_the_api_are_never_answered_with_the_app(
    web: httpx.AsyncClient, path: str
) -> None:
    response = await web.get(path)

    assert response.status_code == 404
    assert INDEX not in response.text


async def test_the_api_keeps_its_routes_beside_the_app(web: httpx.AsyncClient) -> None:
    graphql = await web.post("/graphql", json={"query": "{ __typename }"})
    assert graphql.json() == {"data": {"__typename": "Query"}}
    assert (await web.get("/healthz")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/%2E%2E/secret.txt",
        "/assets/%2E%2E/%2E%2E/secret.txt",
        "/assets/..%2F..%2Fsecret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/assets/%2E%2E/index.html/%2E%2E/%2E%2E/secret.txt",
    ],
)
async def test_no_path_reaches_a_file_outside_the_build(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)

    assert SECRET not in response.text
    assert response.status_code in (200, 404)


async def test_without_a_build_the_root_says_how_to_build_it_and_the_api_works(
    unbuilt: httpx.AsyncClient,
) -> None:
    response = await unbuilt.get("/")

    assert response.status_code == 404
    assert "The web app is not built" in response.text
    assert "./scripts/serve" in response.text
    assert "npm --prefix web ci && npm --prefix web run build" in response.text
    graphql = await unbuilt.post("/graphql", json={"query": "{ __typename }"})
    assert graphql.json() == {"data": {"__typename": "Query"}}


async def test_graphiql_is_beacons_own_build_with_its_own_policy(web: httpx.AsyncClient) -> None:
    response = await web.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert response.text == GRAPHIQL
    assert "https://" not in response.text
    assert_hardened_page(response, GRAPHIQL_POLICY)
    # Only the style rule is relaxed, and only there.
    assert GRAPHIQL_POLICY.replace(" 'unsafe-inline'", "") == APP_POLICY
    direct = await web.get("/graphiql.html")
    assert direct.headers["content-security-policy"] == GRAPHIQL_POLICY


async def test_graphiql_not_built_says_how_to_build_it_and_never_uses_a_cdn(
    unbuilt: httpx.AsyncClient,
) -> None:
    response = await unbuilt.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 404
    assert "GraphiQL is not built" in response.text
    assert "npm --prefix web ci && npm --prefix web run build" in response.text
    assert "https://" not in response.text
    assert "<script" not in response.text
