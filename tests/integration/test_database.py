"""How each process's SQLite connection commits."""

from pathlib import Path

from domain.bootstrap import build_services
from domain.database import Database, apply_migrations
from domain.settings import Settings

# SQLite's PRAGMA synchronous values.
FULL, NORMAL = 2, 1


async def synchronous(database: Database) -> int:
    await database.connect(process_wide=False)
    try:
        with database.activate():
            _, rows = await database.client().execute_query("PRAGMA synchronous")
    finally:
        await database.close()
    return int(rows[0][0])


async def test_the_api_connection_waits_for_the_disk_on_every_commit(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'beacon.sqlite3'}"
    await apply_migrations(url)

    assert await synchronous(Database(url)) == FULL


async def test_a_worker_connection_whose_writes_are_rederivable_skips_the_fsync(
    tmp_path: Path,
) -> None:
    url = f"sqlite://{tmp_path / 'beacon.sqlite3'}"
    await apply_migrations(url)

    assert await synchronous(Database(url, rederivable=True)) == NORMAL


async def test_the_worker_services_use_a_rederivable_connection(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="x" * 48)
    await apply_migrations(settings.effective_database_url)

    assert await synchronous(build_services(settings, worker=True).database) == NORMAL
    assert await synchronous(build_services(settings).database) == FULL
