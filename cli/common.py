"""What every `beacon` command needs: its settings, and the services or database it runs on."""

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import click

from domain.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from domain.bootstrap import Services


def command_settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        click.echo(f"beacon: invalid settings: {error}", err=True)
        sys.exit(2)


@asynccontextmanager
async def running_services(
    settings: Settings, start_worker: bool = True
) -> AsyncIterator["Services"]:
    """Services for a tool process, with an in-process worker on the embedded default."""
    from domain.database import apply_migrations, dialect_of
    from workers.runtime import build_process

    if dialect_of(settings.effective_database_url) == "sqlite":
        await apply_migrations(settings.effective_database_url)
    runtime, services = build_process(settings)
    await services.start()
    embedded = start_worker and not settings.redis_url
    if embedded:
        await asyncio.to_thread(runtime.start)
    try:
        yield services
    finally:
        if embedded:
            await asyncio.to_thread(runtime.stop)
        await services.close()


@asynccontextmanager
async def database_only(settings: Settings) -> AsyncIterator[None]:
    """Only the SQL connection, migrated first on the embedded default."""
    from domain.database import Database, apply_migrations, dialect_of

    if dialect_of(settings.effective_database_url) == "sqlite":
        await apply_migrations(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    await database.connect()
    try:
        yield
    finally:
        await database.close()
