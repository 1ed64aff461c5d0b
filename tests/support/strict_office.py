"""A Strict Open XML Word file (ISO/IEC 29500 Strict), made as Word's "Strict Open XML
Document" save makes it: the Transitional package with Strict's namespace URIs and the
document marked `w:conformance="strict"`."""

import re
import zipfile
from pathlib import Path

from tests.support import documents as files

# Transitional URIs that Strict renamed beyond dropping "/2006"; package-level namespaces
# (content types, package relationships, core properties) are the same in both.
_RENAMED = {
    "officeDocument/2006/extended-properties": "officeDocument/extendedProperties",
    "officeDocument/2006/custom-properties": "officeDocument/customProperties",
    "officeDocument/2006/relationships/extended-properties": (
        "officeDocument/relationships/extendedProperties"
    ),
    "officeDocument/2006/relationships/custom-properties": (
        "officeDocument/relationships/customProperties"
    ),
}
_TRANSITIONAL_URI = re.compile(
    r"http://schemas\.openxmlformats\.org/((?!package/)[A-Za-z]+)/2006/([A-Za-z-]+)"
    r"((?:/[A-Za-z-]+)?)"
)
STRICT_MAIN = "http://purl.oclc.org/ooxml/wordprocessingml/main"


def _strict_uri(match: re.Match[str]) -> str:
    area, name, kind = match.groups()
    path = f"{area}/2006/{name}{kind}"
    return "http://purl.oclc.org/ooxml/" + _RENAMED.get(path, f"{area}/{name}{kind}")


def write_strict_docx(directory: Path) -> Path:
    """`documents.write_docx`'s file (DOCX_TITLE, DOCX_SENTENCE, DOCX_TABLE), saved Strict."""
    transitional = files.write_docx(directory)
    path = directory / "review-strict.docx"
    with zipfile.ZipFile(transitional) as source, zipfile.ZipFile(path, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename.endswith((".xml", ".rels")):
                text = _TRANSITIONAL_URI.sub(_strict_uri, data.decode("utf-8"))
                if entry.filename == "word/document.xml":
                    text = text.replace("<w:document ", '<w:document w:conformance="strict" ', 1)
                data = text.encode("utf-8")
            target.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return path
