"""Every `beacon` command, as a real process, on a fresh data directory and on servers that
are not there: each ends with a clear outcome, never a traceback."""

import asyncio
from pathlib import Path

import pytest

from cli.scratch import scratch_postgres
from tests.e2e.test_cli import beacon
from tests.support.databases import POSTGRES_URL, postgres_unreachable_reason
from tests.support.graphql import PASSWORD
from tests.support.live_server import live_server
from tests.support.services import require

pytestmark = pytest.mark.embedded_process

NOWHERE_DATABASE = "postgres://nobody@127.0.0.1:1/x"  # port 1: nothing listens
NOWHERE_REDIS = "redis://127.0.0.1:1/0"


def assert_no_traceback(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output, output


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


# Each command with its arguments and what it says on a data directory nobody used before.
# `eval` and `makemigrations` work on scratch platforms and databases of their own (see
# test_eval.py); `serve` has a test of its own below.
FRESH = {
    "migrate": (["migrate"], 0, "applied 0_"),
    "create-admin": (
        ["create-admin", "--organization", "Acme", "--email", "root@example.com"],
        0,
        "created ADMIN root@example.com of 'Acme'",
    ),
    "ingest": (
        ["ingest", "README.md", "--email", "nobody@example.com"],
        1,
        "problem: no active user with email nobody@example.com",
    ),
    "audit verify": (["audit", "verify"], 0, "audit chains intact"),
    "audit prune": (["audit", "prune"], 0, "pruned 0 audit event(s)"),
    "reconcile": (["reconcile"], 0, "no drift"),
    "reembed": (["reembed"], 0, "no organisation to re-embed"),
    "worker": (["worker"], 2, "BEACON_REDIS_URL: required for `beacon worker`"),
    "makemigrations": (["makemigrations", "check", "--dialect", "sqlite"], 0, "no changes"),
}


@pytest.mark.parametrize("command", FRESH)
def test_each_command_on_a_fresh_data_directory_has_a_clear_outcome(
    command: str, tmp_path: Path
) -> None:
    args, code, says = FRESH[command]

    result = beacon(*args, data_dir=tmp_path / "data", BEACON_ADMIN_PASSWORD=PASSWORD)

    assert_no_traceback(result.stdout, result.stderr)
    assert result.returncode == code, result.stderr
    assert says in result.stdout + result.stderr


def test_export_schema_on_a_fresh_data_directory(tmp_path: Path) -> None:
    result = beacon("export-schema", str(tmp_path / "schema.graphql"), data_dir=tmp_path / "d")

    assert result.returncode == 0, result.stderr
    assert f"wrote {tmp_path / 'schema.graphql'}" in result.stdout


def test_serve_on_a_fresh_data_directory_migrates_and_becomes_ready(tmp_path: Path) -> None:
    with live_server(tmp_path):
        pass  # live_server waits for /readyz

    assert_no_traceback((tmp_path / "serve.log").read_text())


@pytest.mark.parametrize(
    "args",
    [
        ["migrate"],
        ["serve", "--port", "0"],
        ["create-admin", "--organization", "Acme", "--email", "root@example.com"],
        ["ingest", "README.md", "--email", "root@example.com"],
        ["audit", "verify"],
        ["audit", "prune"],
        ["reconcile"],
        ["reembed"],
    ],
    ids=lambda args: args[0] if args[0] != "audit" else " ".join(args),
)
def test_a_database_that_cannot_be_reached_is_named_in_one_line(
    args: list[str], tmp_path: Path
) -> None:
    result = beacon(
        *args,
        data_dir=tmp_path,
        BEACON_DATABASE_URL=NOWHERE_DATABASE,
        BEACON_ADMIN_PASSWORD=PASSWORD,
    )

    assert_no_traceback(result.stdout, result.stderr)
    assert result.returncode == 1
    assert last_line(result.stderr).startswith(f"beacon: the database at {NOWHERE_DATABASE}: ")


def test_a_database_url_of_another_kind_is_refused_as_a_setting(tmp_path: Path) -> None:
    result = beacon("migrate", data_dir=tmp_path, BEACON_DATABASE_URL="mysql://root@db/beacon")

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "beacon: invalid settings: BEACON_DATABASE_URL: unsupported scheme 'mysql': "
        "use sqlite:// or postgres://"
    )


def test_a_password_in_a_database_url_stays_out_of_the_message(tmp_path: Path) -> None:
    url = "postgres://nobody:hunter2hunter2@127.0.0.1:1/x"

    result = beacon("audit", "verify", data_dir=tmp_path, BEACON_DATABASE_URL=url)

    assert result.returncode == 1
    assert "hunter2" not in result.stderr
    assert "beacon: the database at postgres://nobody:***@127.0.0.1:1/x: " in result.stderr


@pytest.fixture
def postgres_server() -> str:
    require(postgres_unreachable_reason())
    return POSTGRES_URL


def test_a_database_missing_on_its_server_is_named_in_one_line(
    postgres_server: str, tmp_path: Path
) -> None:
    missing = postgres_server.rsplit("/", 1)[0] + "/beacon_no_such_database"

    result = beacon("reconcile", data_dir=tmp_path, BEACON_DATABASE_URL=missing)

    assert_no_traceback(result.stdout, result.stderr)
    assert result.returncode == 1
    assert last_line(result.stderr).startswith(f"beacon: the database at {missing}: ")
    assert "beacon_no_such_database" in last_line(result.stderr)


def test_a_server_database_with_pending_migrations_says_to_migrate(
    postgres_server: str, tmp_path: Path
) -> None:
    async def run() -> tuple[str, str]:
        async with scratch_postgres(postgres_server) as url:
            before = await asyncio.to_thread(
                beacon, "create-admin", "--organization", "Acme", "--email", "a@example.com",
                data_dir=tmp_path, BEACON_DATABASE_URL=url, BEACON_ADMIN_PASSWORD=PASSWORD,
            )  # fmt: skip
            migrated = await asyncio.to_thread(
                beacon, "migrate", data_dir=tmp_path, BEACON_DATABASE_URL=url
            )
            assert migrated.returncode == 0, migrated.stderr
            after = await asyncio.to_thread(
                beacon, "create-admin", "--organization", "Acme", "--email", "a@example.com",
                data_dir=tmp_path, BEACON_DATABASE_URL=url, BEACON_ADMIN_PASSWORD=PASSWORD,
            )  # fmt: skip
            assert after.returncode == 0, after.stderr
            return before.stderr, before.stdout

    stderr, stdout = asyncio.run(run())

    assert_no_traceback(stdout, stderr)
    assert last_line(stderr).startswith("beacon: the database has ")
    assert last_line(stderr).endswith("pending migration(s), from 0_20261121235457_init.py: "
                                      "run `beacon migrate` first")  # fmt: skip


@pytest.mark.parametrize(
    "args", [["worker"], ["ingest", "README.md", "--email", "root@example.com"], ["reconcile"]]
)
def test_a_redis_that_cannot_be_reached_is_named_in_one_line(
    args: list[str], tmp_path: Path
) -> None:
    result = beacon(*args, data_dir=tmp_path, BEACON_REDIS_URL=NOWHERE_REDIS)

    assert_no_traceback(result.stdout, result.stderr)
    assert result.returncode == 1
    assert last_line(result.stderr).startswith(f"beacon: Redis at {NOWHERE_REDIS}: ")


def test_a_weaviate_that_cannot_be_reached_is_named_in_one_line(tmp_path: Path) -> None:
    result = beacon(
        "create-admin", "--organization", "Acme", "--email", "root@example.com",
        data_dir=tmp_path, BEACON_ADMIN_PASSWORD=PASSWORD,
        BEACON_VECTOR_STORE="weaviate", BEACON_WEAVIATE_URL="http://127.0.0.1:1",
    )  # fmt: skip

    assert_no_traceback(result.stdout, result.stderr)
    assert result.returncode == 1
    assert last_line(result.stderr).startswith(
        "beacon: cannot start: vector store: cannot reach Weaviate at http://127.0.0.1:1"
    )


def test_serve_with_a_weaviate_that_cannot_be_reached_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    result = beacon(
        "serve", "--port", "0",
        data_dir=tmp_path,
        BEACON_VECTOR_STORE="weaviate", BEACON_WEAVIATE_URL="http://127.0.0.1:1",
    )  # fmt: skip

    assert_no_traceback(result.stdout, result.stderr)
    assert result.returncode == 3  # uvicorn's exit status for a failed start
    assert "beacon cannot start: vector store: cannot reach Weaviate at http://127.0.0.1:1" in (
        result.stderr
    )


def test_an_email_already_taken_is_refused_in_one_line(tmp_path: Path) -> None:
    args = ["create-admin", "--organization", "Acme", "--email", "root@example.com"]
    assert beacon(*args, data_dir=tmp_path, BEACON_ADMIN_PASSWORD=PASSWORD).returncode == 0

    again = beacon(*args, data_dir=tmp_path, BEACON_ADMIN_PASSWORD=PASSWORD)

    assert_no_traceback(again.stdout, again.stderr)
    assert again.returncode == 1
    assert last_line(again.stderr).startswith("beacon: ")
