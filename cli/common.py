"""What every `beacon` command needs: its settings, and the services or database it runs on."""

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import click

from cli.failures import CommandFailed, reaching
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
    from workers.runtime import build_process

    await prepare_database(settings)
    if settings.redis_url:
        await require_redis(settings.redis_url)
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
    from domain.database import Database

    await prepare_database(settings)
    database = Database(settings.effective_database_url)
    await database.connect()
    try:
        yield
    finally:
        await database.close()


async def prepare_database(settings: Settings, *, pending_ok: bool = False) -> list[str]:
    """Migrate the embedded default's database, as `serve` does, and return the migrations
    applied; elsewhere stop with one line when the database cannot be reached or, unless
    `pending_ok`, has migrations pending (migrating a shared server is its operator's step)."""
    from domain.database import Database, apply_migrations
    from domain.dialects import dialect_of

    url = settings.effective_database_url
    with reaching("the database", url):
        database = Database(url)
        await database.connect(process_wide=False)
        try:
            await database.client().execute_query("SELECT 1")
            pending = await database.pending_migrations()
        finally:
            await database.close()
        if pending and dialect_of(url) == "sqlite":
            return await apply_migrations(url)
    if pending and not pending_ok:
        raise CommandFailed(
            f"the database has {len(pending)} pending migration(s), from {pending[0]}: "
            "run `beacon migrate` first"
        )
    return []


async def require_redis(url: str) -> None:
    """Stop with one line when Redis does not answer (its clients would retry forever)."""
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        with reaching("Redis", url):
            await client.ping()
    finally:
        await client.aclose()
