"""Migrations apply from empty on SQLite and PostgreSQL, and leave nothing for aerich to do."""

import importlib.util
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from tortoise.connection import get_connection

from domain.bootstrap import Services
from domain.database import CONNECTION, migration_files, migrations_root
from domain.documents.models import Document, DocumentStatus, FailureCode
from domain.retrieval.models import ORIGINAL_MODEL, EmbeddingState
from tests.support.databases import POSTGRES_URL, postgres_unreachable_reason
from tests.support.graphql import PASSWORD
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


async def test_the_failure_code_migration_gives_every_failed_document_a_known_code(
    services: Services, database_url: str
) -> None:
    user = await services.identity.create_organization("Org", "owner@example.com", PASSWORD)
    before = {
        "DOCUMENT_REJECTED": DocumentStatus.FAILED,  # what a missing stored file used to be
        None: DocumentStatus.FAILED,
        "NO_LONGER_A_CODE": DocumentStatus.FAILED,
        "CORRUPT_FILE": DocumentStatus.FAILED,
        "STALE": DocumentStatus.QUEUED,
    }
    ids = {}
    for code, status in before.items():
        document = await Document.create(
            id=uuid.uuid4(),
            organization_id=user.organization_id,
            uploaded_by_id=user.id,
            title="t",
            filename="t.txt",
            kind="text",
            size_bytes=1,
            sha256=uuid.uuid4().hex,
            dedupe_scope="organization",
            status=status,
        )
        # Raw SQL: the model would refuse codes that are not in the enum.
        await get_connection(CONNECTION).execute_query(
            'UPDATE "document" SET "failure_code" = '
            + ("NULL" if code is None else f"'{code}'")
            + f" WHERE \"id\" = '{document.id}'"
        )
        ids[code] = document.id
    (path,) = (migrations_root(database_url) / "models").glob("*_failure_codes.py")
    spec = importlib.util.spec_from_file_location("failure_codes", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    client = get_connection(CONNECTION)
    await client.execute_script(await migration.upgrade(client))

    after = {code: (await Document.get(id=ids[code])).failure_code for code in before}
    assert after == {
        "DOCUMENT_REJECTED": FailureCode.FILE_MISSING,
        None: FailureCode.UNKNOWN,
        "NO_LONGER_A_CODE": FailureCode.UNKNOWN,
        "CORRUPT_FILE": FailureCode.CORRUPT_FILE,
        "STALE": None,
    }


async def test_the_embedding_state_migration_records_the_original_model_for_organisations_with_documents(  # noqa: E501
    services: Services, database_url: str
) -> None:
    with_documents = await services.identity.create_organization("A", "a@example.com", PASSWORD)
    without = await services.identity.create_organization("B", "b@example.com", PASSWORD)
    await Document.create(
        id=uuid.uuid4(),
        organization_id=with_documents.organization_id,
        uploaded_by_id=with_documents.id,
        title="t",
        filename="t.txt",
        kind="text",
        size_bytes=1,
        sha256=uuid.uuid4().hex,
        dedupe_scope="organization",
    )
    (path,) = (migrations_root(database_url) / "models").glob("*_embedding_state.py")
    spec = importlib.util.spec_from_file_location("embedding_state", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    client = get_connection(CONNECTION)
    await client.execute_script(await migration.upgrade(client))

    states = await EmbeddingState.all()
    assert [(s.organization_id, s.active_model, s.target_model) for s in states] == [
        (with_documents.organization_id, ORIGINAL_MODEL, None)
    ]
    assert without.organization_id not in {s.organization_id for s in states}
