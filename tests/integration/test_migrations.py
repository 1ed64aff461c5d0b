"""Migrations apply from empty on SQLite and PostgreSQL, and leave nothing for aerich to do."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from domain.database import migration_files
from tests.support.databases import POSTGRES_URL, postgres_unreachable_reason
from tests.support.services import require

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_migrations_apply_from_empty_and_aerich_finds_nothing_pending(dialect: str) -> None:
    if dialect == "postgres" and (reason := postgres_unreachable_reason()):
        require(reason)
    # A process per dialect: Tortoise caches dialect-specific SQL on the model classes.
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.migration_check", dialect, POSTGRES_URL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    url = "sqlite://x" if dialect == "sqlite" else POSTGRES_URL
    assert report["applied"] == migration_files(url)
    assert report["applied"], "no migration was shipped"
    assert report["pending"] == []
    assert report["model_changes"] == "", "models changed without a migration: run makemigrations"


def test_both_dialects_ship_the_same_migration_history() -> None:
    def steps(url: str) -> list[str]:
        return [name.split("_", 2)[-1] for name in migration_files(url)]

    assert steps("sqlite://x") == steps("postgres://x")
