"""Every log line, Beacon's and the libraries', in one format with the context bound."""

import json
import logging
from pathlib import Path

import structlog

from domain.logs import log_context
from domain.settings import Settings
from tests.support.logs import configured_logging

STRONG_KEY = "k3Y-9f2Qz7LmW1xVb8RtY6uN0pAs4DcE"


def test_json_lines_carry_timestamp_level_logger_event_and_the_bound_context() -> None:
    with configured_logging("json") as logs, log_context(request_id="r-1"):
        structlog.get_logger("beacon.test").info("searched", hits=3)
        logging.getLogger("uvicorn.error").warning("port %s busy", 8000)
    ours, library = logs.lines()
    assert ours["event"] == "searched" and ours["hits"] == 3
    assert (ours["level"], ours["logger"], ours["request_id"]) == ("info", "beacon.test", "r-1")
    assert library["event"] == "port 8000 busy"
    assert (library["level"], library["logger"]) == ("warning", "uvicorn.error")
    assert library["request_id"] == "r-1"
    assert ours["timestamp"].endswith("Z") and library["timestamp"].endswith("Z")


def test_a_logged_exception_is_part_of_its_json_line() -> None:
    with configured_logging("json") as logs:
        try:
            raise ValueError("broken")
        except ValueError:
            logging.getLogger("beacon.api").exception("unexpected error")
    (line,) = logs.lines()
    assert line["exception"][0]["exc_type"] == "ValueError"


def test_console_lines_are_for_people() -> None:
    with configured_logging("console") as logs:
        structlog.get_logger("beacon.test").info("searched", hits=3)
    text = logs.text()
    assert "searched" in text and "hits=3" in text and "beacon.test" in text
    assert not text.lstrip().startswith("{")


def test_the_level_filters_ours_and_the_libraries_lines() -> None:
    with configured_logging("json", "WARNING") as logs:
        structlog.get_logger("beacon.test").info("hidden")
        logging.getLogger("tortoise").info("hidden too")
        structlog.get_logger("beacon.test").warning("shown")
    assert [line["event"] for line in logs.lines()] == ["shown"]


def test_a_log_context_is_gone_afterwards_with_what_was_bound_inside() -> None:
    with log_context(request_id="outer"):
        with log_context(document_id="d"):
            structlog.contextvars.bind_contextvars(attempt=2)
            assert structlog.contextvars.get_contextvars() == {
                "request_id": "outer",
                "document_id": "d",
                "attempt": 2,
            }
        assert structlog.contextvars.get_contextvars() == {"request_id": "outer"}
    assert structlog.contextvars.get_contextvars() == {}


def test_production_logs_json_and_development_logs_for_the_console(tmp_path: Path) -> None:
    production = Settings(
        env="production", secret_key=STRONG_KEY, database_url="postgres://u:p@db/beacon"
    )
    assert production.effective_log_format == "json"
    assert Settings(data_dir=tmp_path).effective_log_format == "console"
    assert Settings(data_dir=tmp_path, log_format="json").effective_log_format == "json"


def test_json_renders_what_the_standard_json_module_reads() -> None:
    with configured_logging("json") as logs:
        structlog.get_logger("beacon.test").info('quoted "text"\nover lines')
    assert json.loads(logs.text())["event"] == 'quoted "text"\nover lines'
