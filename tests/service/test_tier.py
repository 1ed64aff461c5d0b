"""The service tier loads none of the heavy packages, and `-m service` selects it."""

from pathlib import Path

import pytest

from tests.support.heavy_imports import loaded_in_a_fresh_interpreter, tier_modules

SERVICE = Path(__file__).resolve().parent


def test_loading_the_service_tier_imports_none_of_the_heavy_packages() -> None:
    # A fresh interpreter: this one may have collected another tier, which loads them.
    modules = tier_modules(SERVICE, "tests.support.fake_services")
    assert loaded_in_a_fresh_interpreter(modules) == set()


def test_a_test_carries_the_marker_of_its_tier_folder(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("service") is not None
    assert request.node.get_closest_marker("integration") is None
