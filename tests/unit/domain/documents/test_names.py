"""Client file names are cleaned for display and checked against the bytes."""

import pytest

from domain.documents.kinds import DocumentKind
from domain.documents.names import claimed_kind, clean_filename, contradicts


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\x.txt", "x.txt"),
        ("a\x00b.txt", "ab.txt"),
        ("report\x1b[31m.pdf", "report[31m.pdf"),
        ("...", "upload"),
        ("x" * 300 + ".txt", "x" * 255),
    ],
)
def test_names_lose_paths_and_control_characters(name: str, cleaned: str) -> None:
    assert clean_filename(name) == cleaned


def test_a_name_that_lies_about_the_bytes_contradicts_them() -> None:
    assert contradicts(claimed_kind("cv.pdf"), DocumentKind.HTML)
    assert not contradicts(claimed_kind("notes.txt"), DocumentKind.MARKDOWN)
    assert not contradicts(claimed_kind("a.txt.php"), DocumentKind.TEXT)
