"""The unit tier loads none of the heavy packages, so it stays fast, and `-m unit` selects it."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.conftest import HEAVY_PACKAGES

ROOT = Path(__file__).resolve().parents[2]
UNIT = Path(__file__).resolve().parent


def test_loading_the_unit_tier_imports_none_of_the_heavy_packages() -> None:
    # A fresh interpreter, as a run of `pytest tests/unit` starts: in this process another
    # tier's modules may already have loaded them. What the tests import while they run, the
    # autouse fixture in conftest.py checks.
    modules = ["tests.conftest"] + [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in sorted(UNIT.rglob("*.py"))
        if path.name != "__init__.py"
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(' '.join(p for p in {HEAVY_PACKAGES!r} if p in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []


def test_a_test_carries_the_marker_of_its_tier_folder(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("unit") is not None
    assert request.node.get_closest_marker("integration") is None
