"""Beacon's logging configured into a buffer for one test, and the lines it wrote."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from domain import logs
from domain.logs import LogFormat, configure_logging


class LogBuffer:
    """What the process logged, as text and as the JSON objects of its lines."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def text(self) -> str:
        """Everything written so far."""
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        """Every line parsed as one JSON object (fails on a line that is not one)."""
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def events(self, event: str) -> list[dict[str, Any]]:
        """The lines whose event is `event`."""
        return [line for line in self.lines() if line["event"] == event]


@contextmanager
def configured_logging(log_format: LogFormat, level: str = "INFO") -> Iterator[LogBuffer]:
    """Configure as a `beacon` process does, into a buffer; put everything back afterwards."""
    root = logging.getLogger()
    handlers, root_level = root.handlers[:], root.level
    active = logs.active_configuration()
    buffer = LogBuffer()
    configure_logging(log_format, level, stream=buffer.stream)
    try:
        yield buffer
    finally:
        root.handlers, root.level = handlers, root_level
        logging.captureWarnings(False)
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
        logs._active = active  # what later parser processes are told to log as
