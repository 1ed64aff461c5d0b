"""Every accepted kind has a MIME type to report and a name for messages to people."""

import pytest

from domain.documents.kinds import DocumentKind


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_has_a_content_type_and_a_label(kind: DocumentKind) -> None:
    assert "/" in kind.content_type
    assert kind.label


def test_a_label_names_the_kind_as_people_do() -> None:
    assert DocumentKind.PDF.label == "PDF"
    assert DocumentKind.DOCX.label == "Word document"
    assert DocumentKind.TEXT.label == "text file"
