"""The unit tier loads none of the heavy packages, so it stays fast, and `-m unit` selects it."""

import sys
from pathlib import Path

import pytest

from tests.support.heavy_imports import (
    LOADED_BY_COLLECTION,
    loaded_in_a_fresh_interpreter,
    tier_modules,
)

UNIT = Path(__file__).resolve().parent
OTHER_TIERS = ("tests.integration", "tests.e2e", "tests.service")


def test_loading_the_unit_tier_imports_none_of_the_heavy_packages(
    request: pytest.FixtureRequest,
) -> None:
    modules = tier_modules(UNIT)
    other_tiers = [name for name in sys.modules if name.startswith(OTHER_TIERS)]
    if not other_tiers and all(name in sys.modules for name in modules):
        # This process collected the unit tier alone: what it had loaded then is the answer.
        loaded = request.session.stash[LOADED_BY_COLLECTION]
    else:
        # Another tier's modules may have loaded them here (or this tier was not all
        # collected): ask an interpreter that imports the unit tier's modules only.
        loaded = loaded_in_a_fresh_interpreter(modules)
    # What the tests import while they run, the autouse fixture in conftest.py checks.
    assert loaded == set()


def test_a_test_carries_the_marker_of_its_tier_folder(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("unit") is not None
    assert request.node.get_closest_marker("integration") is None
