"""`beacon` commands that maintain the search index: reconcile, reembed, export-embedder."""

import asyncio
import sys
import uuid

import click
from pydantic import ValidationError

from cli.common import command_settings, running_services
from domain.settings import Settings


@click.command()
@click.option("--fix", is_flag=True, help="Delete orphans and re-ingest what lost its vectors.")
def reconcile(fix: bool) -> None:
    """Compare SQL with the vector store and the files; report (and repair) drift."""
    settings = command_settings()

    async def run() -> bool:
        async with running_services(settings, start_worker=fix) as services:
            report = await services.reconciler.run(fix=fix)
        rows = {
            "orphan vectors": len(report.orphan_vectors),
            "stale versions": len(report.stale_versions),
            "missing vectors": len(report.missing_vectors),
            "orphan files": len(report.orphan_files),
            "missing files": len(report.missing_files),
        }
        for name, count in rows.items():
            click.echo(f"{name:>16}: {count}")
        for document_id in report.missing_files:
            click.echo(f"missing file for document {document_id}", err=True)
        click.echo(("repaired" if fix else "drift found") if not report.clean else "no drift")
        return report.clean or fix

    sys.exit(0 if asyncio.run(run()) else 1)


@click.command()
@click.option(
    "--organization",
    "organization_id",
    type=click.UUID,
    default=None,
    help="The organisation's id; default: every organisation.",
)
@click.option("--model", default=None, help="The model to move to; default: the configured one.")
def reembed(organization_id: uuid.UUID | None, model: str | None) -> None:
    """Embed organisations' chunks again with another model, from their stored text.

    Search keeps answering from the old vectors until the new ones are complete; a run that
    stopped resumes where it did.
    """
    from domain.errors import BeaconError

    settings = command_settings()

    async def run() -> bool:
        ok = True
        async with running_services(settings, start_worker=False) as services:
            try:
                organizations = await services.reembedder.organizations(organization_id)
            except BeaconError as error:
                click.echo(f"beacon reembed: {error}", err=True)
                return False
            if not organizations:
                click.echo("no organisation to re-embed")
            for org in organizations:
                try:
                    result = await services.reembedder.run(
                        org,
                        model,
                        on_progress=lambda p: click.echo(
                            f"{p.organization_id}: {p.done}/{p.total} chunks embedded "
                            f"with {p.target}"
                        ),
                    )
                except BeaconError as error:
                    click.echo(f"beacon reembed: organisation {org}: {error}", err=True)
                    ok = False
                    continue
                if result.switched:
                    click.echo(
                        f"{org}: searches {result.target} now (was {result.source}; "
                        f"{result.embedded} chunks embedded by this run)"
                    )
                else:
                    click.echo(f"{org}: already searches {result.target}")
        return ok

    sys.exit(0 if asyncio.run(run()) else 1)


@click.command("export-embedder")
@click.option("--force", is_flag=True, help="Export again even if the files are there.")
def export_embedder(force: bool) -> None:
    """Export the packaged MiniLM to ONNX (fp32 and int8), checked against torch (set-up)."""
    from domain.retrieval.onnx_export import (
        EmbedderExportError,
        default_cache_dir,
        ensure_exported,
        packaged_model_path,
    )

    # Settings(), not command_settings(): a set-up step (the Docker build) must not generate the
    # development secret key into a data directory.
    try:
        cache_dir = Settings().embedder_cache_dir or default_cache_dir()
    except ValidationError as error:
        click.echo(f"beacon: invalid settings: {error}", err=True)
        sys.exit(2)
    try:
        report = ensure_exported(cache_dir, packaged_model_path(), force=force)
    except EmbedderExportError as error:
        click.echo(f"beacon: {error}", err=True)
        sys.exit(1)
    if not report.worst_cosine:
        click.echo(f"already exported: {report.files.path('int8')}")
        return
    for precision, cosine in report.worst_cosine.items():
        click.echo(f"wrote {report.files.path(precision)} (worst cosine to torch {cosine:.4f})")
