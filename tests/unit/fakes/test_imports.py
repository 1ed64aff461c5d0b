"""The fakes are for fast tests: importing them loads no model, parser or store library."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("torch", "docling", "sentence_transformers", "lancedb", "weaviate", "transformers")


def test_importing_every_fake_loads_none_of_the_heavy_libraries() -> None:
    # A fresh interpreter: this one may have loaded them for other tests.
    script = (
        "import importlib, pkgutil, sys, tests.fakes\n"
        "for module in pkgutil.iter_modules(tests.fakes.__path__):\n"
        "    importlib.import_module('tests.fakes.' + module.name)\n"
        f"print(sorted({{name.split('.')[0] for name in sys.modules}} & {set(HEAVY)!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
