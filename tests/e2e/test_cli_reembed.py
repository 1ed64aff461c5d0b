"""`beacon reembed` as a real process on the embedded default: what it says for bad input."""

import uuid
from pathlib import Path

import pytest

from tests.e2e.test_cli_documents import beacon
from tests.support.graphql import PASSWORD

pytestmark = pytest.mark.embedded_process


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded Beacon with one organisation (no documents)."""
    path = tmp_path_factory.mktemp("data")
    assert beacon(path, "migrate").returncode == 0
    created = beacon(
        path, "create-admin", "--organization", "Acme", "--email", "ops@example.com",
        "--password", PASSWORD,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    return path


def test_an_unknown_model_is_refused_with_the_models_it_knows(data_dir: Path) -> None:
    result = beacon(data_dir, "reembed", "--model", "no-such-model")

    assert result.returncode == 1
    assert "No embedding model 'no-such-model' is available here" in result.stderr
    assert "all-MiniLM-L6-v2" in result.stderr


def test_an_unknown_organisation_is_refused(data_dir: Path) -> None:
    missing = uuid.uuid4()
    result = beacon(data_dir, "reembed", "--organization", str(missing))

    assert result.returncode == 1
    assert f"No organisation has the id {missing}" in result.stderr


def test_an_organisation_already_on_the_configured_model_has_nothing_to_do(
    data_dir: Path,
) -> None:
    result = beacon(data_dir, "reembed")

    assert result.returncode == 0, result.stderr
    assert "already searches all-MiniLM-L6-v2" in result.stdout
