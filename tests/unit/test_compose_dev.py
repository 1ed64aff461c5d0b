"""The development deployment, compose.dev.yml: the API reloads on code change, the web app's
dev server replaces modules in place."""

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from cli.main import main as beacon_cli
from domain.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ("api", "domain", "workers", "cli", "migrations")  # what the image installs from /src


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.dev.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found = compose["services"]
    assert isinstance(found, dict) and set(found) == {"api", "web"}
    return found


def test_compose_uses_the_spec_without_the_obsolete_version_key(compose: dict[str, Any]) -> None:
    assert "version" not in compose


def test_the_api_runs_beacon_serve_with_reload_from_the_production_image(
    services: dict[str, Any],
) -> None:
    api = services["api"]
    assert api["build"] == "."
    argv = api["command"]
    assert argv[:2] == ["beacon", "serve"]
    serve = beacon_cli.commands["serve"]
    context = serve.make_context("serve", list(argv[2:]))  # refuses unknown options
    assert context.params["reload"] is True
    assert context.params["host"] == "0.0.0.0"  # noqa: S104 - inside its container


def test_the_api_imports_the_mounted_source_before_the_installed_copy(
    services: dict[str, Any],
) -> None:
    api = services["api"]
    assert api["environment"]["PYTHONPATH"] == "/src"
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in api["volumes"]}
    for name in SOURCE:
        assert mounts[f"/src/{name}"] == f"./{name}", name
        assert (ROOT / name).is_dir()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "WORKDIR /src\n" in dockerfile
    for name in SOURCE:
        assert f"COPY {name} ./{name}\n" in dockerfile, name


def test_the_api_reads_the_env_file_when_there_is_one(services: dict[str, Any]) -> None:
    assert services["api"]["env_file"] == [{"path": ".env", "required": False}]


def test_every_beacon_variable_of_the_api_is_a_setting(services: dict[str, Any]) -> None:
    named = {name for name in services["api"]["environment"] if name.startswith("BEACON_")}
    assert named
    assert {name.removeprefix("BEACON_").lower() for name in named} <= set(Settings.model_fields)


def test_the_web_app_runs_vites_dev_server_proxying_to_the_api(services: dict[str, Any]) -> None:
    web = services["web"]
    command = " ".join(web["command"])
    assert "npm run dev -- --host 0.0.0.0" in command
    scripts = json.loads((ROOT / "web" / "package.json").read_text())["scripts"]
    assert scripts["dev"] == "vite"
    assert web["environment"]["BEACON_API_URL"] == "http://api:8000"
    assert "process.env.BEACON_API_URL" in (ROOT / "web" / "vite.config.ts").read_text()
    assert "./web:/src/web" in web["volumes"]
    assert web["depends_on"] == ["api"]


def test_ports_are_published_on_loopback_only(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for port in service["ports"]:
            assert re.fullmatch(r"127\.0\.0\.1:\d+:\d+", port), name


def test_every_named_volume_is_declared(compose: dict[str, Any], services: dict[str, Any]) -> None:
    named = {
        volume.split(":")[0]
        for service in services.values()
        for volume in service.get("volumes", [])
        if not volume.startswith(".")
    }
    assert named == set(compose["volumes"])


def test_the_serve_command_documents_its_reload_flag() -> None:
    serve = beacon_cli.commands["serve"]
    assert isinstance(serve, click.Command)
    assert any(param.name == "reload" for param in serve.params)
