"""The unit tier loads none of the heavy packages, so it stays fast, and `-m unit` selects it."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.conftest import HEAVY_PACKAGES, LOADED_BY_COLLECTION

ROOT = Path(__file__).resolve().parents[2]
UNIT = Path(__file__).resolve().parent
OTHER_TIERS = ("tests.integration", "tests.e2e")


def unit_modules() -> list[str]:
    """The modules that collecting tests/unit imports."""
    return ["tests.conftest"] + [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in sorted(UNIT.rglob("*.py"))
        if path.name != "__init__.py"
    ]


def loaded_in_a_fresh_interpreter(modules: list[str]) -> set[str]:
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(' '.join(p for p in {HEAVY_PACKAGES!r} if p in sys.modules))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(completed.stdout.split())


def test_loading_the_unit_tier_imports_none_of_the_heavy_packages(
    request: pytest.FixtureRequest,
) -> None:
    modules = unit_modules()
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
