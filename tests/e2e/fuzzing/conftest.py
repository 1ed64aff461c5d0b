"""The fuzzers' platform: the document pipeline's session fixtures, with the throttles far out
of the way (the fuzzers should reach the resolvers, not the limits)."""

from pathlib import Path

import pytest

from domain.settings import Settings
from tests.conftest import make_settings
from tests.e2e.documents.conftest import embedder, extractor

__all__ = ["embedder", "extractor", "fuzz_settings"]


@pytest.fixture
def fuzz_settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        max_pages=5,
        max_upload_bytes=256 * 1024,
        login_rate_per_address="100000/minute",
        login_rate_per_account="100000/minute",
        signup_rate_per_address="100000/minute",
        password_change_rate_per_account="100000/minute",
        query_cost_per_caller="100000000/minute",
        query_cost_per_organization="100000000/minute",
    )
