"""Logging for every Beacon process: one structured line per event, ours and the libraries'.

structlog (maintained, typed, widely used, with first-class standard-library integration) is
chosen over hand-written JSON formatters: Beacon's own lines are structlog events with
key-value fields, and the standard library's records (uvicorn, Dramatiq, Tortoise and
Beacon's older `logging.getLogger` calls) go through the same processors by way of
`ProcessorFormatter`, so every line carries the same keys and the request's context
(`structlog.contextvars`): JSON objects in production, readable lines in development.
"""

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import Processor

LogFormat = Literal["json", "console"]
LogConfiguration = tuple[LogFormat, str | int]

# What this process was configured with, for the processes it spawns (the document parsers).
_active: LogConfiguration | None = None


_LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def configure_logging(
    log_format: LogFormat, level: str | int = "INFO", stream: TextIO | None = None
) -> None:
    """Send every log line of this process to `stream` (stderr) in `log_format`.

    Each line has `timestamp` (UTC, ISO 8601), `level`, `logger` and `event`, and whatever the
    context has bound (request id, user, organisation, operation, document, attempt).
    """
    global _active
    _active = (log_format, level)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Module-level loggers must follow a later reconfiguration (tests reconfigure), and
        # Beacon logs a few lines per request: the cache would save nothing worth having.
        cache_logger_on_first_use=False,
    )
    output = stream or sys.stderr
    renderer: list[Processor] = (
        [structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()]
        if log_format == "json"
        else [structlog.dev.ConsoleRenderer(colors=output.isatty())]
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )
    handler = logging.StreamHandler(output)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # This handler alone: a process has one output format (basicConfig's or a library's
    # handler would print the same record again, unstructured).
    root.handlers = [handler]
    root.setLevel(level)
    # A library that configured its own loggers (uvicorn does, whenever it is run with its
    # default log_config) would filter or keep their records from the root: undo that.
    for name in _LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        library.handlers = []
        library.propagate = True
        library.setLevel(logging.NOTSET)
    logging.captureWarnings(True)
    # Progress bars are not log lines (the embedding model's "Loading weights" bar would be
    # the one line that is not JSON). Hugging Face's libraries read this when imported, which
    # in a `beacon` process happens after this point.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def active_configuration() -> LogConfiguration | None:
    """The arguments of the last `configure_logging` (None: never configured), for a spawned
    process to log as its parent does."""
    return _active


@contextmanager
def log_context(**values: Any) -> Iterator[None]:
    """Bind `values` to every line logged inside, and leave the context as it was afterwards,
    also without what was bound inside (a request's user, an attempt's number)."""
    outer = structlog.contextvars.get_contextvars()
    structlog.contextvars.bind_contextvars(**values)
    try:
        yield
    finally:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(**outer)
