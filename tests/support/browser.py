"""What the browser tests need, found once: Node, the system's Chromium (a tool's own browser
download fails offline), and playwright-core installed beside the scripts that drive it.

Outside CI a missing piece skips them with the command that installs it; in CI it fails them
(`IN_CI`), so there they always run."""

import os
import shutil
from pathlib import Path

import pytest

NODE = shutil.which("node")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")
IN_CI = bool(os.environ.get("CI"))
ROOT = Path(__file__).resolve().parents[2]


def needs_browser(scripts: Path) -> list[pytest.MarkDecorator]:
    """The marks of a test that runs Node scripts in `scripts` (tests/clients or web)."""
    return [
        pytest.mark.skipif(NODE is None and not IN_CI, reason="node is not installed"),
        pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="chromium is not installed"),
        pytest.mark.skipif(
            not (scripts / "node_modules" / "playwright-core").is_dir() and not IN_CI,
            reason=f"run `npm ci --prefix {scripts.relative_to(ROOT)}` first",
        ),
    ]


def browser_env() -> dict[str, str]:
    """The environment of a Node script that starts Chromium through playwright-core."""
    return {**os.environ, "CHROMIUM": CHROMIUM or "/usr/bin/chromium"}
