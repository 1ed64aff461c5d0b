"""Word files saved as Strict Open XML (ISO/IEC 29500 Strict namespaces) are read like any
Word file: docling's Word backend maps Strict's namespaces to Transitional ones in memory
(docling-slim >= 2.143), which this guards across upgrades."""

import zipfile
from pathlib import Path

from domain.documents.kinds import DocumentKind
from domain.documents.parsing import DocumentParser
from tests.support import documents as files
from tests.support.strict_office import STRICT_MAIN, write_strict_docx


async def test_a_strict_docx_is_read_with_its_headings_and_table(
    parser: DocumentParser, tmp_path: Path
) -> None:
    path = write_strict_docx(tmp_path)
    with zipfile.ZipFile(path) as package:  # the fixture really is Strict
        assert STRICT_MAIN.encode() in package.read("word/document.xml")

    extracted = await parser.extract(path, DocumentKind.DOCX)

    assert files.DOCX_SENTENCE in extracted.text
    holding = [c for c in extracted.chunks if files.DOCX_SENTENCE in c.text]
    assert holding[0].heading_path[-1] == files.DOCX_SECTION
    assert "Singapore" in extracted.text
