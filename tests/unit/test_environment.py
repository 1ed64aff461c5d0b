"""The suite runs on its own settings, whatever the shell around it exports."""

import os
from pathlib import Path

import pytest

from domain.settings import Settings


def test_no_beacon_variable_but_the_test_ones_reaches_the_suite() -> None:
    leaked = [n for n in os.environ if n.startswith("BEACON_") and not n.startswith("BEACON_TEST_")]
    assert leaked == ["BEACON_ENV_FILE"]
    assert os.environ["BEACON_ENV_FILE"] == "", "no .env file is read"


def test_settings_built_in_a_test_are_the_embedded_default() -> None:
    settings = Settings()
    assert (settings.vector_store, settings.file_store, settings.redis_url) == (
        "lance",
        "local",
        None,
    )


def test_a_dotenv_file_in_the_working_directory_does_not_reach_the_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("BEACON_VECTOR_STORE=weaviate\nBEACON_WEAVIATE_URL=http://x\n")
    monkeypatch.chdir(tmp_path)

    assert Settings().vector_store == "lance"
