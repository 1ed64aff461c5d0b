"""Run in a process of its own: migrate an empty database, then ask aerich for pending changes.

Prints one JSON object: the files applied, what `pending_migrations` reports afterwards, and
the migration aerich would write for un-migrated model changes ("" means none).
"""

import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path

from cli.scratch import scratch_postgres, scratch_sqlite
from domain.database import Database, apply_migrations, make_migration, migrations_root


async def check(dialect: str, postgres_url: str) -> dict[str, object]:
    scratch = scratch_sqlite() if dialect == "sqlite" else scratch_postgres(postgres_url)
    async with scratch as url:
        applied = await apply_migrations(url)
        database = Database(url)
        await database.connect(process_wide=False)
        try:
            pending = await database.pending_migrations()
        finally:
            await database.close()
        with tempfile.TemporaryDirectory() as copy:
            # aerich writes the new migration file; let it write into a copy of the tree.
            shutil.copytree(migrations_root(url), Path(copy), dirs_exist_ok=True)
            changes = await make_migration(url, "pending_check", location=Path(copy))
        return {"applied": applied, "pending": pending, "model_changes": changes}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(check(sys.argv[1], sys.argv[2]))))
