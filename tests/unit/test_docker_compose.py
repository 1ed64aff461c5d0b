"""The production deployment: docker-compose.yml and the Dockerfile it builds."""

import json
import re
import secrets
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from cli.main import main as beacon_cli
from domain.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BEACON_SERVICES = ("migrate", "api", "worker")
LONG_RUNNING_BACKENDS = ("postgres", "redis", "weaviate", "objects")
# Variables of features still being built: they have no Settings field yet.
PENDING_VARIABLES: set[str] = set()
# What an operator exports before `docker compose up`.
REQUIRED_VARIABLES = {
    "BEACON_SECRET_KEY": secrets.token_urlsafe(48),
    "POSTGRES_PASSWORD": secrets.token_hex(32),
    "BEACON_WEAVIATE_API_KEY": secrets.token_hex(32),
    "BEACON_S3_ACCESS_KEY_ID": secrets.token_hex(12),
    "BEACON_S3_SECRET_ACCESS_KEY": secrets.token_hex(32),
}
_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<operator>:\?|:-)(?P<argument>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml, parsed."""
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    """The compose services by name."""
    found = compose["services"]
    assert isinstance(found, dict)
    return found


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
    return instructions


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service["environment"]
    assert isinstance(environment, dict), "environment must be a mapping"
    return {name: str(value) for name, value in environment.items()}


def _interpolate(value: str, given: dict[str, str]) -> str:
    """Substitute `${X}`, `${X:?message}` and `${X:-default}` as `docker compose` does."""

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if given.get(name):
            return given[name]
        if match["operator"] == ":-":
            return match["argument"]
        raise AssertionError(f"{name} is unset and has no default")

    return _VARIABLE.sub(replace, value)


def _instruction(dockerfile: list[tuple[str, str]], keyword: str) -> list[str]:
    return [arguments for found, arguments in dockerfile if found == keyword]


def test_compose_declares_every_service_of_the_production_deployment(
    services: dict[str, Any],
) -> None:
    assert set(services) >= {*LONG_RUNNING_BACKENDS, *BEACON_SERVICES}


def test_compose_uses_the_spec_without_the_obsolete_version_key(compose: dict[str, Any]) -> None:
    assert "version" not in compose


def test_every_long_running_service_has_a_healthcheck(services: dict[str, Any]) -> None:
    for name, service in services.items():
        if name == "migrate":
            continue
        healthcheck = service.get("healthcheck") or {}
        assert healthcheck.get("test"), f"{name} has no healthcheck test"
        assert not healthcheck.get("disable"), f"{name} disables its healthcheck"


def test_the_api_and_workers_wait_for_a_completed_migration_and_healthy_backends(
    services: dict[str, Any],
) -> None:
    for name in ("api", "worker"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        for backend in LONG_RUNNING_BACKENDS:
            assert depends_on[backend]["condition"] == "service_healthy", (name, backend)


def test_the_migration_waits_for_a_healthy_postgres_and_runs_once(
    services: dict[str, Any],
) -> None:
    migrate = services["migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"


def test_beacon_services_are_built_from_the_dockerfile(services: dict[str, Any]) -> None:
    for name in BEACON_SERVICES:
        build = services[name]["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        assert context == ".", name
        assert (ROOT / "Dockerfile").is_file()


def test_every_beacon_command_in_compose_exists_in_the_cli(services: dict[str, Any]) -> None:
    expected = {"migrate": "migrate", "api": "serve", "worker": "worker"}
    for name, subcommand in expected.items():
        command = services[name]["command"]
        argv = shlex.split(command) if isinstance(command, str) else command
        assert argv[:2] == ["beacon", subcommand], name
        assert subcommand in beacon_cli.commands


def test_the_api_and_workers_run_two_replicas(services: dict[str, Any]) -> None:
    for name in ("api", "worker"):
        assert services[name]["deploy"]["replicas"] == 2, name


def test_published_api_ports_leave_one_host_port_per_replica(services: dict[str, Any]) -> None:
    api = services["api"]
    (published,) = [str(port) for port in api["ports"]]
    host, _, container = published.rpartition(":")
    assert container == "8000"
    first, _, last = host.partition("-")
    available = int(last or first) - int(first) + 1
    assert available >= api["deploy"]["replicas"]


def test_beacon_processes_run_in_production_mode(services: dict[str, Any]) -> None:
    for name in BEACON_SERVICES:
        assert _environment(services[name])["BEACON_ENV"] == "production", name


def test_secrets_are_required_variables_never_defaults(services: dict[str, Any]) -> None:
    for name in BEACON_SERVICES:
        environment = _environment(services[name])
        assert re.fullmatch(r"\$\{BEACON_SECRET_KEY:\?[^}]+\}", environment["BEACON_SECRET_KEY"])
        assert "${POSTGRES_PASSWORD:?" in environment["BEACON_DATABASE_URL"], name
    assert "${POSTGRES_PASSWORD:?" in services["postgres"]["environment"]["POSTGRES_PASSWORD"]


def test_the_database_url_points_at_the_postgres_service(services: dict[str, Any]) -> None:
    postgres = services["postgres"]["environment"]
    for name in BEACON_SERVICES:
        given = _environment(services[name])["BEACON_DATABASE_URL"]
        url = urlsplit(_interpolate(given, REQUIRED_VARIABLES))
        assert url.password == REQUIRED_VARIABLES["POSTGRES_PASSWORD"]
        assert url.scheme == "postgres"
        assert (url.hostname, url.port) == ("postgres", 5432)
        assert url.username == postgres["POSTGRES_USER"]
        assert url.path == "/" + postgres["POSTGRES_DB"]


def test_the_redis_url_points_at_the_redis_service(services: dict[str, Any]) -> None:
    for name in BEACON_SERVICES:
        url = urlsplit(_environment(services[name])["BEACON_REDIS_URL"])
        assert (url.scheme, url.hostname) == ("redis", "redis"), name


def test_the_vector_store_is_weaviate(services: dict[str, Any]) -> None:
    for name in BEACON_SERVICES:
        environment = _environment(services[name])
        assert environment["BEACON_VECTOR_STORE"] == "weaviate", name
        assert urlsplit(environment["BEACON_WEAVIATE_URL"]).hostname == "weaviate", name


def test_every_beacon_variable_in_compose_is_a_setting() -> None:
    named = set(re.findall(r"\bBEACON_[A-Z0-9_]+", (ROOT / "docker-compose.yml").read_text()))
    unknown = {
        name
        for name in named - PENDING_VARIABLES
        if name.removeprefix("BEACON_").lower() not in Settings.model_fields
    }
    assert named and not unknown


def test_the_compose_environment_passes_the_production_settings_checks(
    services: dict[str, Any],
) -> None:
    for name in BEACON_SERVICES:
        environment = {
            variable.removeprefix("BEACON_").lower(): _interpolate(value, REQUIRED_VARIABLES)
            for variable, value in _environment(services[name]).items()
        }
        fields = {key: value for key, value in environment.items() if key in Settings.model_fields}
        settings = Settings(**fields)
        assert settings.is_production, name
        assert settings.data_dir == Path("/data"), name


def test_the_api_and_workers_share_no_volume_and_keep_files_in_the_object_store(
    services: dict[str, Any],
) -> None:
    for name in BEACON_SERVICES:
        assert not services[name].get("volumes"), name
        environment = _environment(services[name])
        assert environment["BEACON_FILE_STORE"] == "s3", name
        assert urlsplit(environment["BEACON_S3_ENDPOINT"]).hostname == "objects", name
        assert "${BEACON_S3_SECRET_ACCESS_KEY:?" in environment["BEACON_S3_SECRET_ACCESS_KEY"]


def test_the_object_store_makes_the_bucket_beacon_uses(services: dict[str, Any]) -> None:
    objects = services["objects"]
    bucket = _environment(services["api"])["BEACON_S3_BUCKET"]
    assert f"/data/buckets/{bucket}" in " ".join(objects["entrypoint"])
    port = urlsplit(_environment(services["api"])["BEACON_S3_ENDPOINT"]).port
    assert f"--port :{port}" in " ".join(objects["entrypoint"])


def test_weaviate_runs_without_modules_autoschema_or_telemetry(services: dict[str, Any]) -> None:
    weaviate = services["weaviate"]
    environment = _environment(weaviate)
    assert environment["ENABLE_MODULES"] == ""
    assert environment["API_BASED_MODULES_DISABLED"] == "true"
    assert environment["AUTOSCHEMA_ENABLED"] == "false"
    assert environment["DISABLE_TELEMETRY"] == "true"
    assert weaviate["stop_grace_period"]


def test_scripts_services_pins_the_versions_compose_runs(services: dict[str, Any]) -> None:
    script = (ROOT / "scripts" / "services").read_text()
    weaviate = services["weaviate"]["image"].rpartition(":")[2]
    versitygw = services["objects"]["image"].rpartition(":")[2]
    assert f"WEAVIATE_VERSION={weaviate}\n" in script
    assert f"VERSITYGW_VERSION={versitygw.removeprefix('v')}\n" in script


def test_every_named_volume_is_declared(compose: dict[str, Any], services: dict[str, Any]) -> None:
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = str(mount).partition(":")[0]
            if not source.startswith((".", "/")):
                assert source in compose["volumes"], (name, source)


def test_the_image_installs_the_project_against_the_lock(
    dockerfile: list[tuple[str, str]],
) -> None:
    installs = [run for run in _instruction(dockerfile, "RUN") if "pip install" in run]
    assert installs, "the Dockerfile installs nothing"
    assert any(re.search(r"-c constraints\.txt \.(\s|$)", run) for run in installs)


def test_torch_is_pinned_by_the_project_and_comes_from_the_cpu_index(
    dockerfile: list[tuple[str, str]],
) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "torch==2.13.0" in project["dependencies"]
    runs = " ".join(_instruction(dockerfile, "RUN"))
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in runs
    # The image takes torch through the project's pin, never a version of its own.
    assert all(mention == "torch==2.13.0" for mention in re.findall(r"\btorch\S*", runs))


def test_the_image_runs_as_a_non_root_user(dockerfile: list[tuple[str, str]]) -> None:
    users = _instruction(dockerfile, "USER")
    assert users, "the image runs as root"
    assert users[-1].partition(":")[0] not in ("root", "0")


def test_the_image_keeps_data_in_slash_data_and_stays_offline(
    dockerfile: list[tuple[str, str]],
) -> None:
    variables = dict(
        pair.partition("=")[::2]
        for arguments in _instruction(dockerfile, "ENV")
        for pair in shlex.split(arguments)
    )
    assert variables["BEACON_DATA_DIR"] == "/data"
    assert variables["HF_HUB_OFFLINE"] == "1"


def test_the_image_checks_its_health_on_healthz_without_curl(
    dockerfile: list[tuple[str, str]],
) -> None:
    (healthcheck,) = _instruction(dockerfile, "HEALTHCHECK")
    assert "urllib" in healthcheck
    assert "http://127.0.0.1:8000/healthz" in healthcheck


def _stages(dockerfile: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage, in order (each starts with its FROM)."""
    stages: list[list[tuple[str, str]]] = []
    for keyword, arguments in dockerfile:
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, arguments))
    return stages


def test_the_image_serves_the_api_by_default(dockerfile: list[tuple[str, str]]) -> None:
    assert _instruction(_stages(dockerfile)[-1], "FROM")[0].startswith("python:3.11-slim")
    command = json.loads(_instruction(dockerfile, "CMD")[-1])
    assert command[:2] == ["beacon", "serve"]
    assert command[command.index("--port") + 1] == "8000"
    # Loopback inside a container is unreachable from the published port.
    assert command[command.index("--host") + 1] not in ("127.0.0.1", "localhost")


def test_the_web_app_is_built_in_a_node_stage_and_served_from_the_image(
    dockerfile: list[tuple[str, str]],
) -> None:
    *builders, final = _stages(dockerfile)
    (web,) = [stage for stage in builders if stage[0][1].lower() == "node:20-slim as web"]
    runs = _instruction(web, "RUN")
    assert any(re.search(r"\bnpm ci\b", run) for run in runs)
    assert runs[-1] == "npm run build"
    workdir = _instruction(web, "WORKDIR")[-1]
    copies = [shlex.split(copy) for copy in _instruction(web, "COPY")]
    # The operations are typed from the schema, one level above the app (../schema.graphql).
    assert ["schema.graphql", str(Path(workdir).parent / "schema.graphql")] in copies
    # Sources only: a host's node_modules or dist never reaches the stage.
    assert all(not source.rstrip("/").endswith("web") for copy in copies for source in copy[:-1])
    (shipped,) = [c for c in _instruction(final, "COPY") if c.startswith("--from=web ")]
    source, destination = shlex.split(shipped)[1:]
    assert source == f"{workdir}/dist"
    variables = dict(
        pair.partition("=")[::2]
        for arguments in _instruction(final, "ENV")
        for pair in shlex.split(arguments)
    )
    assert variables["BEACON_WEB_DIST"] == destination
    assert "web_dist" in Settings.model_fields  # BEACON_WEB_DIST is a setting


OBSERVABILITY = ("prometheus", "grafana")


def _mounts(service: dict[str, Any]) -> dict[str, Path]:
    """A service's bind mounts of repository files: container path -> repository path."""
    found = {}
    for mount in service.get("volumes", []):
        source, _, rest = str(mount).partition(":")
        if source.startswith("./"):
            found[rest.partition(":")[0]] = ROOT / source
    return found


def test_prometheus_and_grafana_run_only_with_the_observability_profile(
    services: dict[str, Any],
) -> None:
    for name in OBSERVABILITY:
        assert services[name]["profiles"] == ["observability"], name
        image, _, tag = services[name]["image"].rpartition(":")
        assert image and re.fullmatch(r"v?\d+\.\d+\.\d+", tag), (name, tag)
        for target, source in _mounts(services[name]).items():
            assert source.exists(), (name, target, source)
    for name in (*LONG_RUNNING_BACKENDS, *BEACON_SERVICES):
        assert "profiles" not in services[name], f"{name} would not start by default"


def test_prometheus_scrapes_every_api_replica_and_worker_on_their_metrics_ports(
    services: dict[str, Any],
) -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    targets = {
        (sd["names"][0], sd["port"])
        for job in config["scrape_configs"]
        for sd in job["dns_sd_configs"]
    }
    api_port = int(str(services["api"]["ports"][0]).rpartition(":")[2])
    worker_port = int(_environment(services["worker"])["BEACON_WORKER_METRICS_PORT"])
    assert worker_port > 0
    assert targets == {("api", api_port), ("worker", worker_port)}
    assert {job["metrics_path"] for job in config["scrape_configs"]} == {"/metrics"}
    assert "./deploy/prometheus.yml" in " ".join(services["prometheus"]["volumes"])


def test_grafana_provisions_the_prometheus_datasource_and_beacon_dashboards(
    services: dict[str, Any],
) -> None:
    mounts = _mounts(services["grafana"])
    provisioning = mounts["/etc/grafana/provisioning"]
    (datasource,) = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())[
        "datasources"
    ]
    assert urlsplit(datasource["url"]).hostname == "prometheus"
    assert urlsplit(datasource["url"]).port == 9090
    (provider,) = yaml.safe_load((provisioning / "dashboards" / "beacon.yml").read_text())[
        "providers"
    ]
    dashboards = mounts[provider["options"]["path"]]
    found = list(dashboards.glob("*.json"))
    assert found
    for path in found:
        for panel in json.loads(path.read_text())["panels"]:
            assert panel["datasource"]["uid"] == datasource["uid"], (path.name, panel["title"])
