"""The document parser's processes, fresh interpreters, log as the process that started them."""

import json
import logging

import pytest

from domain.documents.parsing import DocumentParser
from tests.support.logs import configured_logging


def speak() -> None:
    """`worker_setup`, run in the parser's process once it is warm."""
    logging.getLogger("beacon.test").warning("the parser process speaks")


async def test_a_parser_process_logs_json_lines_when_its_parent_does(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with configured_logging("json"):
        parser = DocumentParser(worker_setup=speak)
        try:
            await parser.start()
        finally:
            await parser.close()
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.strip()]
    (spoken,) = [line for line in lines if line["event"] == "the parser process speaks"]
    assert (spoken["level"], spoken["logger"]) == ("warning", "beacon.test")
