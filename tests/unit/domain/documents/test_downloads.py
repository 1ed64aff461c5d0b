"""Download links: signed over document, version and expiry, refused once any part changes."""

import base64
import hashlib
import hmac
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from domain.documents.downloads import DownloadLink, Downloads
from domain.documents.filestores.local import LocalFileStore

DOCUMENT = uuid.UUID("3f2b8c1e-9a4d-4e6f-8b1a-2c3d4e5f6a7b")
NOW = 1_800_000_000.0


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def downloads(tmp_path: Path, clock: Clock, secret: str = "k" * 48) -> Downloads:
    return Downloads(secret, 300, LocalFileStore(tmp_path), clock=clock)


def parts(link: DownloadLink) -> tuple[str, str, str, str]:
    """The link as its URL carries it."""
    return str(link.document_id), str(link.version), str(link.expires), link.signature


def test_a_fresh_link_verifies_and_expires_after_its_lifetime(tmp_path: Path) -> None:
    clock = Clock()
    links = downloads(tmp_path, clock)
    link = links.sign(DOCUMENT, 2)

    assert link.expires == int(NOW) + 300
    assert links.verify(*parts(link))
    clock.now = NOW + 299
    assert links.verify(*parts(link))
    clock.now = NOW + 300
    assert not links.verify(*parts(link))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: replace(link, document_id=uuid.uuid4()),
        lambda link: replace(link, version=link.version + 1),
        lambda link: replace(link, expires=link.expires + 3600),
        lambda link: replace(link, signature=link.signature[:-1] + "A"),
        lambda link: replace(link, signature=""),
    ],
    ids=["document", "version", "expiry", "signature", "no signature"],
)
def test_changing_any_part_breaks_the_signature(
    tmp_path: Path, tamper: Callable[[DownloadLink], DownloadLink]
) -> None:
    links = downloads(tmp_path, Clock())
    link = links.sign(DOCUMENT, 2)

    assert not links.verify(*parts(tamper(link)))


@pytest.mark.parametrize(
    ("document_id", "version", "expires"),
    [
        (str(DOCUMENT).upper(), "2", "1800000300"),
        (DOCUMENT.hex, "2", "1800000300"),
        ("not-a-uuid", "2", "1800000300"),
        (str(DOCUMENT), "02", "1800000300"),
        (str(DOCUMENT), "+2", "1800000300"),
        (str(DOCUMENT), "2", " 1800000300"),
        (str(DOCUMENT), "2", "1800000300.0"),
        (str(DOCUMENT), "2", "9" * 40),
    ],
)
def test_only_the_spelling_that_was_signed_verifies(
    tmp_path: Path, document_id: str, version: str, expires: str
) -> None:
    links = downloads(tmp_path, Clock())
    link = links.sign(DOCUMENT, 2)

    assert not links.verify(document_id, version, expires, link.signature)


def test_a_link_signed_under_another_secret_key_is_refused(tmp_path: Path) -> None:
    link = downloads(tmp_path, Clock(), secret="a" * 48).sign(DOCUMENT, 1)

    assert not downloads(tmp_path, Clock(), secret="b" * 48).verify(*parts(link))


def test_the_signature_is_not_the_bare_hmac_of_the_secret_key(tmp_path: Path) -> None:
    # The key is derived for downloads alone, so nothing else signed with the secret key
    # (JWTs use it directly) can be replayed as a link.
    secret = "s" * 48
    link = downloads(tmp_path, Clock(), secret=secret).sign(DOCUMENT, 1)
    bare = hmac.new(secret.encode(), f"{DOCUMENT}:1:{link.expires}".encode(), hashlib.sha256)

    assert link.signature != base64.urlsafe_b64encode(bare.digest()).rstrip(b"=").decode()
