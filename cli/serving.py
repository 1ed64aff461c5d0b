"""The app `beacon serve` runs, built from the environment: uvicorn's reloader (`--reload`)
imports it by name in a process of its own."""

from pathlib import Path

from starlette.applications import Starlette

from cli.common import command_settings
from domain.logs import configure_logging

# What a change reloads: Beacon's own packages (not the data directory, not web/).
SOURCE_DIRS = [
    str(Path(__file__).resolve().parents[1] / name) for name in ("api", "domain", "workers", "cli")
]


def served_app() -> Starlette:
    """The API with its services (and, on the embedded default, the worker threads)."""
    from api.app import create_app
    from domain.tracing import configure_tracing
    from workers.runtime import build_process

    settings = command_settings()
    configure_tracing("beacon-api", settings.otlp_endpoint)
    runtime, services = build_process(settings)
    # Production only sends messages (`beacon worker` processes consume); the embedded
    # default runs the worker threads in this process.
    background = [] if settings.redis_url else [runtime]
    return create_app(settings, services, manage_services=True, background=background)


def reloaded_app() -> Starlette:
    """`served_app` in the reloader's child process, which `beacon`'s own set-up never ran in:
    its logs are configured here, at INFO."""
    configure_logging(command_settings().effective_log_format, "INFO")
    return served_app()
