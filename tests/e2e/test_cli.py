"""The `beacon` command line, run as a real process."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.databases import REDIS_URL, redis_unreachable_reason
from tests.support.graphql import PASSWORD
from tests.support.services import require

pytestmark = pytest.mark.embedded_process

ROOT = Path(__file__).resolve().parents[2]


def beacon(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "BEACON_DATA_DIR": str(data_dir),
        "BEACON_BCRYPT_ROUNDS": "4",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_invalid_settings_stop_start_up_with_one_line_naming_the_variable(tmp_path: Path) -> None:
    result = beacon("serve", data_dir=tmp_path, BEACON_ACCESS_TOKEN_TTL_SECONDS="soon")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], "more than one line"
    assert result.stderr.startswith("beacon: invalid settings: BEACON_ACCESS_TOKEN_TTL_SECONDS:")


def test_production_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    result = beacon(
        "migrate",
        data_dir=tmp_path,
        BEACON_ENV="production",
        BEACON_DATABASE_URL="postgres://beacon@127.0.0.1:1/none",
    )
    assert result.returncode == 2
    assert "BEACON_SECRET_KEY is required in production" in result.stderr


def test_migrate_then_create_admin_on_a_fresh_data_directory(tmp_path: Path) -> None:
    migrated = beacon("migrate", data_dir=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "applied 0_" in migrated.stdout
    again = beacon("migrate", data_dir=tmp_path)
    assert "nothing to apply" in again.stdout
    created = beacon(
        "create-admin",
        "--organization",
        "Acme",
        "--email",
        "root@example.com",
        data_dir=tmp_path,
        BEACON_ADMIN_PASSWORD=PASSWORD,
        BEACON_SIGNUP_ENABLED="false",
    )
    assert created.returncode == 0, created.stderr
    assert "created ADMIN root@example.com of 'Acme'" in created.stdout


def test_create_admin_reports_a_weak_password_plainly(tmp_path: Path) -> None:
    beacon("migrate", data_dir=tmp_path)
    result = beacon(
        "create-admin",
        "--organization",
        "Acme",
        "--email",
        "root@example.com",
        data_dir=tmp_path,
        BEACON_ADMIN_PASSWORD="short",
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "beacon: Use at least 12 characters."


def test_worker_needs_redis(tmp_path: Path) -> None:
    result = beacon("worker", data_dir=tmp_path)
    assert result.returncode == 2
    assert "BEACON_REDIS_URL: required" in result.stderr


def test_export_schema_writes_the_committed_sdl(tmp_path: Path) -> None:
    result = beacon("export-schema", str(tmp_path / "schema.graphql"), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "schema.graphql").read_text() == (ROOT / "schema.graphql").read_text()


def test_a_worker_process_boots_on_redis_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    if reason := redis_unreachable_reason():
        require(reason)
    assert beacon("migrate", data_dir=tmp_path).returncode == 0
    environment = {
        **os.environ,
        "BEACON_DATA_DIR": str(tmp_path),
        "BEACON_REDIS_URL": REDIS_URL,
        "BEACON_LOG_FORMAT": "json",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while "worker services ready" not in log_path.read_text():
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
            process.send_signal(signal.SIGTERM)
            try:
                assert process.wait(timeout=30) == 0, log_path.read_text()
            except subprocess.TimeoutExpired:
                pytest.fail("still running 30 s after SIGTERM:\n" + log_path.read_text())
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()  # reaped here, not left for the next test's warnings
    # Its output is logs only, each line one JSON object (Dramatiq's lines too).
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    assert {"beacon.workers", "dramatiq.worker.Worker"} <= {line["logger"] for line in lines}


def test_serve_refuses_to_start_naming_an_object_store_that_is_down(tmp_path: Path) -> None:
    result = beacon(
        "serve",
        "--port",
        "0",
        data_dir=tmp_path,
        BEACON_FILE_STORE="s3",
        BEACON_S3_BUCKET="beacon",
        BEACON_S3_ENDPOINT="http://127.0.0.1:9",  # the discard port: nothing listens
    )
    assert result.returncode != 0
    assert "beacon cannot start: file store: object store s3://beacon at http://127.0.0.1:9" in (
        result.stderr
    )


def test_a_worker_refuses_to_start_naming_an_object_store_that_is_down(tmp_path: Path) -> None:
    if reason := redis_unreachable_reason():
        require(reason)
    result = beacon(
        "worker",
        data_dir=tmp_path,
        BEACON_REDIS_URL=REDIS_URL,
        BEACON_FILE_STORE="s3",
        BEACON_S3_BUCKET="beacon",
        BEACON_S3_ENDPOINT="http://127.0.0.1:9",  # the discard port: nothing listens
    )
    assert result.returncode == 1, result.stderr
    assert "beacon worker cannot start: file store: object store s3://beacon" in result.stderr


def test_audit_verify_passes_on_an_intact_trail_and_names_the_first_hand_edited_event(
    tmp_path: Path,
) -> None:
    assert beacon("migrate", data_dir=tmp_path).returncode == 0
    created = beacon(
        "create-admin", "--organization", "Acme", "--email", "ada@example.com",
        data_dir=tmp_path, BEACON_ADMIN_PASSWORD=PASSWORD,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    intact = beacon("audit", "verify", data_dir=tmp_path)
    assert intact.returncode == 0, intact.stderr
    assert "audit chains intact" in intact.stdout

    with sqlite3.connect(tmp_path / "beacon.sqlite3") as database:
        database.execute('UPDATE audit_event SET details = \'{"role": "USER"}\'')
    broken = beacon("audit", "verify", data_dir=tmp_path)

    assert broken.returncode == 1
    assert "event 1 was altered after it was written" in broken.stderr
