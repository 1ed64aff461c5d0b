"""The suite runs on its own settings, whatever the shell around it exports."""

import os

from domain.settings import Settings


def test_no_beacon_variable_but_the_test_ones_reaches_the_suite() -> None:
    leaked = [n for n in os.environ if n.startswith("BEACON_") and not n.startswith("BEACON_TEST_")]
    assert leaked == []


def test_settings_built_in_a_test_are_the_embedded_default() -> None:
    settings = Settings()
    assert (settings.vector_store, settings.file_store, settings.redis_url) == (
        "lance",
        "local",
        None,
    )
