"""Download URLs: relative to the API's origin, absolute under BEACON_PUBLIC_URL."""

import uuid
from pathlib import Path

import pytest

from api.files import download_url
from domain.documents.downloads import DownloadLink
from domain.settings import Settings, SettingsError, load_settings

LINK = DownloadLink(uuid.UUID("3f2b8c1e-9a4d-4e6f-8b1a-2c3d4e5f6a7b"), 3, 1800000300, "a-b_c")
PATH = "/files/3f2b8c1e-9a4d-4e6f-8b1a-2c3d4e5f6a7b/3?expires=1800000300&signature=a-b_c"


def settings(tmp_path: Path, **values: object) -> Settings:
    return load_settings(data_dir=tmp_path, **values)


def test_without_a_public_url_the_link_is_relative(tmp_path: Path) -> None:
    assert download_url(settings(tmp_path), LINK) == PATH


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("https://beacon.example.com", "https://beacon.example.com" + PATH),
        ("https://beacon.example.com/", "https://beacon.example.com" + PATH),
        ("https://example.com/beacon/", "https://example.com/beacon" + PATH),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000" + PATH),
    ],
)
def test_a_public_url_makes_it_absolute(tmp_path: Path, public_url: str, expected: str) -> None:
    assert download_url(settings(tmp_path, public_url=public_url), LINK) == expected


@pytest.mark.parametrize(
    "public_url", ["beacon.example.com", "ftp://example.com", "https://x.com/?q=1", "https://"]
)
def test_a_public_url_that_is_no_web_address_stops_start_up(
    tmp_path: Path, public_url: str
) -> None:
    with pytest.raises(SettingsError, match="BEACON_PUBLIC_URL"):
        settings(tmp_path, public_url=public_url)
