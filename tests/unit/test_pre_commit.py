""".pre-commit-config.yaml: local hooks only, each running a tool the project installs."""

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def hooks() -> list[dict[str, Any]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"], "nothing to clone"
    found = config["repos"][0]["hooks"]
    assert isinstance(found, list)
    return found


def test_the_hooks_are_ruff_format_ruff_mypy_and_the_web_apps_format_and_lint() -> None:
    assert [hook["id"] for hook in hooks()] == [
        "ruff-format",
        "ruff",
        "mypy",
        "web-format",
        "web-lint",
    ]


def test_python_hooks_run_the_dev_dependencies_from_the_venv() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dev = {re.split(r"[<>=\[]", spec)[0] for spec in project["optional-dependencies"]["dev"]}
    assert "pre-commit" in dev
    for hook in hooks():
        if hook["entry"].startswith(".venv/bin/"):
            tool = hook["entry"].split()[0].removeprefix(".venv/bin/")
            assert tool in dev, hook["id"]
            assert hook["language"] == "system"


def test_web_hooks_run_the_web_apps_own_scripts() -> None:
    scripts = json.loads((ROOT / "web" / "package.json").read_text())["scripts"]
    web = [hook for hook in hooks() if hook["id"].startswith("web-")]
    assert {hook["entry"].split()[4] for hook in web} == {"format", "lint"}
    for hook in web:
        assert hook["entry"].startswith("npm --prefix web run "), hook["id"]
        assert hook["entry"].split()[4] in scripts
        assert hook["files"] == "^web/" and hook["pass_filenames"] is False


def test_the_lock_pins_pre_commit_and_what_it_pulls_in() -> None:
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    assert {"pre-commit", "cfgv", "identify", "nodeenv", "virtualenv", "pyyaml"} <= pinned
