"""`scripts/build-web`: the web app is rebuilt exactly when its sources changed, `npm ci` runs
exactly when the lock file changed, and without npm Beacon goes on with the API alone."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "build-web"
# What the script needs besides npm and node (bash builtins aside).
TOOLS = ("bash", "env", "dirname", "cat", "cut", "find", "sort", "sha256sum")
# Stands in for npm: records each call and does what `ci` and `run build` leave behind.
FAKE_NPM = """#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>"$NPM_CALLS"
case "$*" in
    "ci --prefix web"*) mkdir -p web/node_modules ;;
    "--prefix web run build")
        [ -z "${FAIL_BUILD:-}" ] || { echo "build failed" >&2; exit 1; }
        rm -rf web/dist && mkdir -p web/dist/assets && echo built >web/dist/index.html ;;
esac
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout with a web app's sources and a fake npm first on the PATH."""
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, root / "scripts" / "build-web")
    (root / "web" / "src").mkdir(parents=True)
    for name, text in {
        "web/package.json": '{"name": "beacon-web"}',
        "web/package-lock.json": '{"lockfileVersion": 3}',
        "web/index.html": "<div id=root></div>",
        "web/vite.config.ts": "export default {}",
        "web/tsconfig.json": "{}",
        "web/src/main.tsx": "render()",
        "schema.graphql": "type Query { me: User! }",
    }.items():
        (root / name).write_text(text)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(FAKE_NPM)
    (bin_dir / "npm").chmod(0o755)
    return root


def run(
    repo: Path, path: str | None = None, **env: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    calls = repo.parent / "npm-calls"
    calls.unlink(missing_ok=True)
    environment = {
        **os.environ,
        "PATH": path or f"{repo.parent / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "NPM_CALLS": str(calls),
        **env,
    }
    done = subprocess.run(
        [str(repo / "scripts" / "build-web")],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    made = calls.read_text().splitlines() if calls.exists() else []
    return done, [call.split(" --no-audit")[0] for call in made]


def without_npm(tmp_path: Path) -> str:
    """A PATH with the tools the script needs and no npm or node."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in TOOLS:
        found = shutil.which(name)
        assert found, name
        (tools / name).symlink_to(found)
    return str(tools)


def test_a_fresh_checkout_installs_builds_and_records_the_sources(repo: Path) -> None:
    done, calls = run(repo)

    assert done.returncode == 0, done.stderr
    assert calls == ["ci --prefix web", "--prefix web run build"]
    assert (repo / "web" / "dist" / "index.html").read_text() == "built\n"
    assert len((repo / "web" / "dist" / ".source-hash").read_text().strip()) == 64


def test_nothing_runs_when_nothing_changed(repo: Path) -> None:
    run(repo)

    done, calls = run(repo)

    assert done.returncode == 0, done.stderr
    assert calls == []
    assert done.stdout == ""


@pytest.mark.parametrize(
    "changed",
    [
        "web/src/main.tsx",
        "web/src/pages/new.tsx",
        "web/public/favicon.svg",
        "web/index.html",
        "web/vite.config.ts",
        "web/tsconfig.json",
        "schema.graphql",
    ],
)
def test_a_changed_source_rebuilds_without_reinstalling(repo: Path, changed: str) -> None:
    run(repo)
    (repo / changed).parent.mkdir(parents=True, exist_ok=True)
    (repo / changed).write_text("changed")

    done, calls = run(repo)

    assert done.returncode == 0, done.stderr
    assert calls == ["--prefix web run build"]


def test_a_deleted_source_rebuilds(repo: Path) -> None:
    (repo / "web" / "src" / "old.tsx").write_text("old")
    run(repo)
    (repo / "web" / "src" / "old.tsx").unlink()

    assert run(repo)[1] == ["--prefix web run build"]


def test_a_changed_lock_file_reinstalls_and_rebuilds(repo: Path) -> None:
    run(repo)
    (repo / "web" / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {}}')

    assert run(repo)[1] == ["ci --prefix web", "--prefix web run build"]


def test_a_missing_bundle_is_built_again(repo: Path) -> None:
    run(repo)
    shutil.rmtree(repo / "web" / "dist")

    assert run(repo)[1] == ["--prefix web run build"]


def test_a_failed_build_fails_and_is_tried_again_next_time(repo: Path) -> None:
    run(repo)
    (repo / "web" / "src" / "main.tsx").write_text("broken(")

    failed, _ = run(repo, FAIL_BUILD="1")
    again, calls = run(repo)

    assert failed.returncode != 0
    assert "build failed" in failed.stderr
    assert again.returncode == 0, again.stderr
    assert calls == ["--prefix web run build"]


def test_without_npm_it_says_so_in_one_line_and_succeeds(repo: Path, tmp_path: Path) -> None:
    done, _ = run(repo, path=without_npm(tmp_path))

    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "npm not found: serving the API alone; the web app at / needs Node.js 20+ and npm\n"
    )
    assert not (repo / "web" / "dist").exists()


def test_without_the_web_folder_it_says_so_in_one_line_and_succeeds(repo: Path) -> None:
    shutil.rmtree(repo / "web")

    done, calls = run(repo)

    assert done.returncode == 0, done.stderr
    assert done.stdout == "web/ not found: serving the API alone\n"
    assert calls == []


def test_serve_builds_the_app_after_setup_and_goes_on_when_it_fails() -> None:
    serve = (SCRIPT.parent / "serve").read_text().splitlines()
    setup = serve.index("./scripts/setup")
    build = next(i for i, line in enumerate(serve) if line.startswith("./scripts/build-web"))
    assert setup < build < next(i for i, line in enumerate(serve) if "beacon serve" in line)
    assert "|| " in serve[build]
