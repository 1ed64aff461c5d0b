"""`beacon` commands: serve, worker, migrate, create-admin, demo, ingest, reconcile, reembed,
audit, and dev tools."""

import asyncio
import functools
import getpass
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import structlog
from pydantic import ValidationError

from cli.common import (
    command_settings,
    database_only,
    prepare_database,
    require_redis,
    running_services,
)
from cli.demo import demo
from cli.failures import BeaconGroup, reaching
from cli.index import export_embedder, reconcile, reembed
from domain.logs import LogFormat, configure_logging
from domain.settings import Settings

log = structlog.get_logger("beacon.cli")

if TYPE_CHECKING:
    pass


@click.group(cls=BeaconGroup)
@click.option("--log-level", default="INFO", show_default=True, help="Python logging level.")
def main(log_level: str) -> None:
    """Beacon, the GraphQL-native knowledge assistant."""
    configure_logging(_log_format(), log_level.upper())


def _log_format() -> LogFormat:
    """BEACON_LOG_FORMAT (or BEACON_ENV's default); the development default when the settings
    are invalid, as the command then stops at once with one line saying why."""
    try:
        return Settings().effective_log_format
    except ValidationError:
        return "console"


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--reload", is_flag=True, help="Development: restart on changes to Beacon's code.")
def serve(host: str, port: int, reload: bool) -> None:
    """Run the API (embedded default: also migrate and run workers in-process)."""
    import uvicorn

    from cli.serving import SOURCE_DIRS, reloaded_app, served_app

    settings = command_settings()
    # The embedded default owns its database: bring it up to date before serving. A server's
    # pending migrations keep the API unready (/readyz names them) until the operator migrates.
    for name in asyncio.run(prepare_database(settings, pending_ok=True)):
        log.info("applied migration", migration=name)
    log.info(
        "serving",
        url=f"http://{host}:{port}/graphql",
        data_dir=str(settings.data_dir.resolve()),
        log_format=settings.effective_log_format,
        reload=reload,
    )
    # Client addresses feed the per-address limits: X-Forwarded-For is believed only from the
    # proxies named in BEACON_FORWARDED_ALLOW_IPS (uvicorn's own default trusts loopback, so
    # any local process could claim any address).
    # uvicorn's lines go through Beacon's logging (no log_config of its own, the level of
    # --log-level), and api.middleware.AccessLog writes the access lines, with the request's
    # id, caller and duration.
    run = functools.partial(
        uvicorn.run,
        host=host,
        port=port,
        log_config=None,
        log_level=None,
        access_log=False,
        lifespan="on",
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips or "",
    )
    if reload:
        # The reloader imports the app by name in a child process, restarted on each change.
        run(f"{reloaded_app.__module__}:{reloaded_app.__name__}", factory=True, reload=True,
            reload_dirs=SOURCE_DIRS)  # fmt: skip
    else:
        run(served_app())


@main.command()
def migrate() -> None:
    """Apply every pending migration to BEACON_DATABASE_URL."""
    from domain.database import apply_migrations

    settings = command_settings()
    with reaching("the database", settings.effective_database_url):
        applied = asyncio.run(apply_migrations(settings.effective_database_url))
    click.echo("\n".join(f"applied {name}" for name in applied) or "nothing to apply")


@main.command()
def worker() -> None:
    """Run a Dramatiq worker process on BEACON_REDIS_URL (production)."""
    from domain.tracing import configure_tracing
    from workers.process import run_worker_process

    settings = command_settings()
    configure_tracing("beacon-worker", settings.otlp_endpoint)
    if not settings.redis_url:
        click.echo(
            "beacon: invalid settings: BEACON_REDIS_URL: required for `beacon worker`", err=True
        )
        sys.exit(2)
    asyncio.run(require_redis(settings.redis_url))
    sys.exit(run_worker_process(settings))


@main.command("create-admin")
@click.option("--organization", required=True, help="Name of the new organisation.")
@click.option("--email", required=True)
@click.option("--password", envvar="BEACON_ADMIN_PASSWORD", default=None, help="Prompted if unset.")
def create_admin(organization: str, email: str, password: str | None) -> None:
    """Create an organisation and its first ADMIN (works with sign-up disabled)."""
    from domain.bootstrap import build_services
    from domain.errors import BeaconError

    settings = command_settings()
    secret = password or getpass.getpass("Password (12+ characters): ")

    async def run() -> str:
        await prepare_database(settings)
        services = build_services(settings)
        await services.start()
        try:
            user = await services.identity.create_organization(organization, email, secret)
            return user.email
        finally:
            await services.close()

    try:
        created = asyncio.run(run())
    except BeaconError as error:
        click.echo(f"beacon: {error.message}", err=True)
        sys.exit(1)
    click.echo(f"created ADMIN {created} of '{organization}'")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--email", required=True, help="Upload as this (existing) user.")
@click.option("--private", is_flag=True, help="PRIVATE documents instead of ORGANIZATION.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Follow to READY/FAILED.")
def ingest(paths: tuple[Path, ...], email: str, private: bool, wait: bool) -> None:
    """Upload files or folders, with a progress bar and a summary."""
    from rich.console import Console

    from cli.ingest import collect_files, ingest_paths

    settings = command_settings()
    files = collect_files(list(paths))
    console = Console(stderr=True)

    async def run() -> bool:
        async with running_services(settings) as services:
            summary = await ingest_paths(services, email, files, private, wait, console)
        for status, count in sorted(summary.statuses.items()):
            click.echo(f"{status.lower():>10}: {count}")
        for problem in summary.problems:
            click.echo(f"problem: {problem}", err=True)
        return summary.ok

    sys.exit(0 if asyncio.run(run()) else 1)


@main.command("eval")
@click.argument("dataset_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit-docs", type=click.IntRange(min=1), default=None, help="First N passages.")
@click.option(
    "--limit-queries", type=click.IntRange(min=1), default=None, help="First N judged queries."
)
@click.option("--k", type=click.IntRange(1, 100), default=10, show_default=True, help="Cut-off.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Scratch data directory (kept; a rerun skips ingesting what it holds). "
    "Default: a temporary one.",
)
@click.option(
    "--answers",
    is_flag=True,
    help="Also ask the questions and score the answers: citation precision, abstention "
    "(every fifth question has its relevant passages left out), LLM-judged faithfulness.",
)
@click.option(
    "--answer-limit",
    type=click.IntRange(min=1),
    default=None,
    help="With --answers: ask only the first N judged queries.",
)
def evaluate(
    dataset_dir: Path,
    limit_docs: int | None,
    limit_queries: int | None,
    k: int,
    data_dir: Path | None,
    answers: bool,
    answer_limit: int | None,
) -> None:
    """Ingest a BEIR dataset into a scratch platform and score hybrid, BM25 and dense search
    (with --answers, the answers too)."""
    from cli.evaluate import run_eval

    sys.exit(run_eval(dataset_dir, limit_docs, limit_queries, k, data_dir, answers, answer_limit))


@main.group()
def audit() -> None:
    """The audit trail: verify its hash chains, prune past the retention."""


@audit.command("verify")
def audit_verify() -> None:
    """Check every organisation's chain; report the first break of each (exit 1 on any)."""
    from domain.audit import log

    async def run() -> bool:
        async with database_only(command_settings()):
            breaks = await log.verify_all()
        for found in breaks:
            click.echo(
                f"organisation {found.organization_id}: event {found.sequence} {found.reason}",
                err=True,
            )
        click.echo("audit chains intact" if not breaks else f"{len(breaks)} chain(s) broken")
        return not breaks

    sys.exit(0 if asyncio.run(run()) else 1)


@audit.command("prune")
def audit_prune() -> None:
    """Delete events older than BEACON_AUDIT_RETENTION_DAYS, keeping the chains verifiable."""
    from datetime import timedelta

    from domain.audit import log

    settings = command_settings()

    async def run() -> int:
        async with database_only(settings):
            return await log.prune(timedelta(days=settings.audit_retention_days))

    click.echo(f"pruned {asyncio.run(run())} audit event(s)")


@main.command("export-schema")
@click.argument("path", type=click.Path(path_type=Path), default=Path("schema.graphql"))
def export_schema(path: Path) -> None:
    """Write the GraphQL SDL (commit it with every schema change)."""
    from api.schema import create_schema

    path.write_text(create_schema().as_str() + "\n")
    click.echo(f"wrote {path}")


@main.command()
@click.argument("name")
@click.option("--dialect", type=click.Choice(["both", "sqlite", "postgres"]), default="both")
@click.option("--postgres", "postgres_url", default=None, help="Server for a scratch database.")
@click.option("--empty", is_flag=True, help="No SQL, to write by hand; records the models.")
def makemigrations(name: str, dialect: str, postgres_url: str | None, empty: bool) -> None:
    """Developers: write a migration for model changes, for SQLite and for PostgreSQL."""
    if dialect == "both":
        # Tortoise caches SQL on model classes, so each dialect gets a process of its own.
        for one in ("sqlite", "postgres"):
            extra = ["--postgres", postgres_url] if postgres_url else []
            extra += ["--empty"] if empty else []
            command = [sys.executable, "-m", "cli.main", "makemigrations", name, "--dialect", one]
            subprocess.run([*command, *extra], check=True)  # noqa: S603 - our own CLI
        return
    from cli.scratch import DEFAULT_POSTGRES_URL, scratch_postgres, scratch_sqlite
    from domain.database import apply_migrations, make_migration

    async def run() -> str:
        scratch = (
            scratch_sqlite()
            if dialect == "sqlite"
            else scratch_postgres(postgres_url or DEFAULT_POSTGRES_URL)
        )
        async with scratch as url:
            await apply_migrations(url)
            return await make_migration(url, name, empty=empty)

    click.echo(f"{dialect}: {asyncio.run(run()) or 'no changes'}")


for command in (reconcile, reembed, export_embedder, demo):
    main.add_command(command)

if __name__ == "__main__":
    main()
