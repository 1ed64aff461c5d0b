"""`beacon demo`: an organisation to try Beacon with, its people and a few documents."""

import asyncio
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import command_settings, running_services

if TYPE_CHECKING:
    from rich.console import Console

    from cli.ingest import IngestSummary
    from domain.bootstrap import Services

ORGANIZATION = "Northwind Lights (demo)"
ADMIN_EMAIL = "admin@example.com"
USER_EMAIL = "user@example.com"
# Written for the demo (a fictional company), shipped with the package: nothing to download.
DOCUMENTS = Path(__file__).resolve().parent / "demo_documents"


@click.command()
def demo() -> None:
    """Create a demo organisation, an ADMIN and a USER (passwords printed), and ingest a few
    sample documents, offline; a second run changes nothing."""
    from rich.console import Console

    settings = command_settings()

    async def run() -> tuple[dict[str, str], "IngestSummary"]:
        async with running_services(settings) as services:
            return await load_demo(services, Console(stderr=True))

    passwords, summary = asyncio.run(run())
    for status, count in sorted(summary.statuses.items()):
        click.echo(f"{status.lower():>10}: {count}")
    for problem in summary.problems:
        click.echo(f"problem: {problem}", err=True)
    if passwords:
        click.echo(f"organisation '{ORGANIZATION}' created; sign in with (shown once):")
        for email, password in passwords.items():
            click.echo(f"  {email}  {password}")
    else:
        click.echo(
            f"the demo was already set up: sign in as {ADMIN_EMAIL} or {USER_EMAIL} with the "
            "passwords the first `beacon demo` printed"
        )
    sys.exit(0 if summary.ok else 1)


async def load_demo(
    services: "Services", console: "Console"
) -> tuple[dict[str, str], "IngestSummary"]:
    """Create the demo organisation and its two people unless they exist (their passwords, when
    created), then ingest the demo documents: those already there count as duplicates, so a
    second run changes nothing."""
    from cli.ingest import collect_files, ingest_paths
    from domain.identity.models import Role

    passwords: dict[str, str] = {}
    if await services.identity.principal_for(ADMIN_EMAIL) is None:
        passwords = {ADMIN_EMAIL: _password(), USER_EMAIL: _password()}
        await services.identity.create_organization(
            ORGANIZATION, ADMIN_EMAIL, passwords[ADMIN_EMAIL]
        )
        admin = await services.identity.principal_for(ADMIN_EMAIL)
        assert admin is not None  # just created, active
        await services.identity.create_user(admin, USER_EMAIL, passwords[USER_EMAIL], Role.USER)
    files = collect_files([DOCUMENTS])
    summary = await ingest_paths(services, ADMIN_EMAIL, files, False, True, console)
    return passwords, summary


def _password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits
