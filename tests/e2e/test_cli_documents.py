"""`beacon ingest` and `beacon reconcile` as real processes on the embedded default."""

import asyncio
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.bootstrap import build_services
from domain.documents.models import Document, DocumentStatus
from domain.retrieval.vectorstores.base import VectorRecord
from domain.settings import load_settings
from domain.visibility import Visibility
from tests.support import documents as files
from tests.support.graphql import PASSWORD

pytestmark = pytest.mark.embedded_process

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ingested:
    data_dir: Path
    inbox: Path
    result: subprocess.CompletedProcess[str]


def beacon(data_dir: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "BEACON_DATA_DIR": str(data_dir),
        "BEACON_BCRYPT_ROUNDS": "4",
        **{f"BEACON_{name.upper()}": value for name, value in settings.items()},
    }
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def ingested(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    data_dir = tmp_path_factory.mktemp("data")
    folder = tmp_path_factory.mktemp("inbox")
    files.write_docx(folder)
    files.write_markdown(folder)
    nested = folder / "nested"
    nested.mkdir()
    files.write_text(nested)
    files.write_truncated_pdf(nested)
    (folder / ".hidden.txt").write_text("never uploaded")
    assert beacon(data_dir, "migrate").returncode == 0
    created = beacon(
        data_dir,
        "create-admin",
        "--organization",
        "Acme",
        "--email",
        "ops@example.com",
        "--password",
        PASSWORD,
    )
    assert created.returncode == 0, created.stderr
    # A person's upload limit guards the API; an operator's folder may hold more files.
    result = beacon(
        data_dir,
        "ingest",
        "--email",
        "ops@example.com",
        str(folder),
        upload_rate_per_user="2/minute",
    )
    return Ingested(data_dir, folder, result)


def test_ingest_uploads_a_folder_and_summarises_what_happened(
    ingested: Ingested,
) -> None:
    result = ingested.result
    visible = [p for p in ingested.inbox.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert result.returncode == 1, "a corrupt file is a problem worth a non-zero exit"
    assert f"     ready: {len(visible) - 1}" in result.stdout
    assert "    failed: 1" in result.stdout
    assert "problem:" in result.stderr and "CORRUPT_FILE" in result.stderr
    assert "ingesting" in result.stderr  # the progress bar


def test_ingest_refuses_an_unknown_uploader(tmp_path: Path) -> None:
    beacon(tmp_path, "migrate")
    path = files.write_text(tmp_path)
    result = beacon(tmp_path, "ingest", "--email", "nobody@example.com", str(path))
    assert result.returncode == 1
    assert "no active user with email nobody@example.com" in result.stderr


def test_reconcile_reports_no_drift_after_a_clean_ingest(
    ingested: Ingested,
) -> None:
    result = beacon(ingested.data_dir, "reconcile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no drift" in result.stdout


def test_reconcile_finds_and_repairs_drift(ingested: Ingested, tmp_path: Path) -> None:
    data_dir = tmp_path / "copy"
    shutil.copytree(ingested.data_dir, data_dir)
    orphan_document = asyncio.run(_make_drift(data_dir))
    report = beacon(data_dir, "reconcile")
    assert report.returncode == 1
    assert "  orphan vectors: 1" in report.stdout
    assert " missing vectors: 1" in report.stdout
    assert "    orphan files: 1" in report.stdout
    fixed = beacon(data_dir, "reconcile", "--fix")
    assert fixed.returncode == 0, fixed.stderr
    assert "repaired" in fixed.stdout
    # The re-ingestion queued by --fix runs at the next start (here: the next reconcile).
    after = beacon(data_dir, "reconcile")
    assert after.returncode == 0, after.stdout
    assert "no drift" in after.stdout
    assert orphan_document
    assert (data_dir / "uploads" / "files" / IN_FLIGHT).exists()


IN_FLIGHT = uuid.uuid4().hex


async def _make_drift(data_dir: Path) -> uuid.UUID:
    """Vectors of a document SQL never heard of, a READY document without vectors, a stray file."""
    settings = load_settings(data_dir=data_dir)
    services = build_services(settings)
    await services.start()
    try:
        ready = await Document.filter(status=DocumentStatus.READY).first()
        assert ready is not None
        await services.vectors.delete_document(ready.organization_id, ready.id)
        orphan = uuid.uuid4()
        await services.vectors.upsert(
            [
                VectorRecord(
                    id=uuid.uuid4(),
                    organization_id=ready.organization_id,
                    document_id=orphan,
                    version=1,
                    chunk_index=0,
                    visibility=Visibility.ORGANIZATION,
                    owner_id=ready.uploaded_by_id,
                    text="stray",
                    vector=[0.0] * 383 + [1.0],
                )
            ]
        )
        stray = settings.uploads_dir / "files" / uuid.uuid4().hex
        stray.write_bytes(b"stray file")
        an_hour_ago = time.time() - 3600
        os.utime(stray, (an_hour_ago, an_hour_ago))
        # Stored a moment ago by an upload whose row is not inserted yet: not an orphan.
        (settings.uploads_dir / "files" / IN_FLIGHT).write_bytes(b"upload in progress")
        return orphan
    finally:
        await services.close()
