"""The heavy packages the fast tiers (unit, service) never import, and the check that they do
not: what the real adapters load (the model, the parser, the vector store) costs seconds to
import and gigabytes on disk; tests that need one live in tests/integration or tests/e2e."""

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HEAVY_PACKAGES = ("torch", "docling", "sentence_transformers", "lancedb")

ROOT = Path(__file__).resolve().parents[2]

# The heavy packages loaded by the time collection ended: what importing the tier's modules
# loaded, when this process collected no other tier.
LOADED_BY_COLLECTION = pytest.StashKey[set[str]]()


def heavy_packages_loaded() -> set[str]:
    """The heavy packages this process has imported."""
    return {name for name in HEAVY_PACKAGES if name in sys.modules}


def tier_modules(folder: Path, *also: str) -> list[str]:
    """The modules that collecting the tier in `folder` imports (with the modules `also`
    names, which its conftest imports from elsewhere)."""
    return [
        "tests.conftest",
        *also,
        *(
            ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for path in sorted(folder.rglob("*.py"))
            if path.name != "__init__.py"
        ),
    ]


def loaded_in_a_fresh_interpreter(modules: list[str]) -> set[str]:
    """The heavy packages an interpreter that imports only `modules` has loaded."""
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


@contextmanager
def importing_no_heavy_package(request: pytest.FixtureRequest, tier: str) -> Iterator[None]:
    """Fails the test of `tier` that imports a heavy package while it runs (the tier's
    test_tier.py checks what the tier's modules import when they load)."""
    before = heavy_packages_loaded()
    yield
    imported = heavy_packages_loaded() - before
    if imported:
        pytest.fail(
            f"{request.node.nodeid} imported {', '.join(sorted(imported))}: the {tier} tier "
            "imports none of the heavy packages; import it lazily in the adapter that needs "
            "it, or move the test to tests/integration"
        )
