"""Docling's conversion of a file into a DoclingDocument, its failures told as Beacon's.

Runs in a parser process (see `parser_worker`): docling is imported only when a converter is
built, so importing this module stays cheap.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from domain.documents.kinds import DocumentKind
from domain.errors import CorruptDocument, DocumentTooLarge

if TYPE_CHECKING:
    from docling.datamodel.base_models import InputFormat
    from docling.document_converter import DocumentConverter, FormatOption
    from docling_core.types.doc.document import DoclingDocument

_log = logging.getLogger(__name__)

# Docling guesses a stream's format from its name and content; naming the stream after the
# kind sniffed from its bytes keeps docling from second-guessing (stored files have no suffix).
_STREAM_NAMES = {
    DocumentKind.PDF: "document.pdf",
    DocumentKind.DOCX: "document.docx",
    DocumentKind.PPTX: "document.pptx",
    DocumentKind.XLSX: "document.xlsx",
    DocumentKind.HTML: "document.html",
    DocumentKind.MARKDOWN: "document.md",
    DocumentKind.CSV: "document.csv",
}
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


class Converter:
    """A docling converter for the accepted formats, built once per parser process."""

    def __init__(self, max_pages: int, artifacts_path: Path | None) -> None:
        self.max_pages = max_pages
        self._converter = _docling_converter(artifacts_path)

    def convert(self, path: Path, kind: DocumentKind) -> DoclingDocument:
        """The file as docling reads it, all of it; a file docling cannot read in full raises
        a DocumentRejected."""
        from docling.datamodel.base_models import ConversionStatus, DocumentStream

        label = kind.label
        stream = DocumentStream(name=_STREAM_NAMES[kind], stream=BytesIO(path.read_bytes()))
        try:
            result = self._converter.convert(
                stream, raises_on_error=False, max_num_pages=self.max_pages
            )
        except MemoryError:
            raise  # not the file's damage: the process ends (see parser_worker)
        except Exception:
            # Backends raise whatever their XML or zip library raised on malformed input.
            _log.exception("docling failed on a %s", label)
            raise CorruptDocument(f"The {label} is damaged and cannot be read.") from None
        for error in result.errors:
            _log.warning("docling on a %s: %s", label, error.error_message)
        if result.status is ConversionStatus.SUCCESS:
            return result.document
        if result.input.page_count > self.max_pages:
            raise DocumentTooLarge(
                f"The {label} has {result.input.page_count} pages; the limit is {self.max_pages}."
            )
        if result.status is ConversionStatus.PARTIAL_SUCCESS:
            # All or nothing: a document silently missing pages would mislead its readers.
            failed = sorted({error.page_no for error in result.errors if error.page_no})
            where = f"Pages {', '.join(map(str, failed))}" if failed else "Parts"
            raise CorruptDocument(f"{where} of the {label} are damaged and cannot be read.")
        if result.status is ConversionStatus.SKIPPED:
            # Docling's own sniffing disagreed with ours: the bytes are not a usable file.
            raise CorruptDocument(f"The file is not a readable {label}.")
        raise CorruptDocument(f"The {label} is damaged and cannot be read.")


def text_document(path: Path) -> DoclingDocument:
    """Plain text as one docling text item per paragraph; Markdown rules would mangle it."""
    from docling_core.types.doc.document import DoclingDocument
    from docling_core.types.doc.labels import DocItemLabel

    document = DoclingDocument(name=path.stem)
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    for paragraph in _PARAGRAPH_BREAK.split(text):
        if paragraph.strip():
            document.add_text(label=DocItemLabel.TEXT, text=paragraph.strip())
    return document


def _docling_converter(artifacts_path: Path | None) -> DocumentConverter:
    """A converter for the accepted formats; PDFs go through a model-free pipeline by default."""
    from docling.datamodel.base_models import InputFormat
    from docling.datamodel.pipeline_options import NativePdfPipelineOptions, PdfPipelineOptions
    from docling.document_converter import (
        DocumentConverter,
        NativePdfFormatOption,
        PdfFormatOption,
    )

    pdf: FormatOption
    if artifacts_path is None:
        # Text cells straight from the PDF, with their pages; no page images, no models.
        pdf = NativePdfFormatOption(
            pipeline_options=NativePdfPipelineOptions(
                generate_page_images=False, generate_picture_images=False, parser_threads=1
            )
        )
    else:
        # Layout and table models from local artifacts give headings and tables; OCR stays
        # off because its models are not among those artifacts.
        pdf = PdfFormatOption(
            pipeline_options=PdfPipelineOptions(
                artifacts_path=artifacts_path, do_ocr=False, generate_page_images=False
            )
        )
    formats: list[InputFormat] = [
        InputFormat.PDF,
        InputFormat.DOCX,
        InputFormat.PPTX,
        InputFormat.XLSX,
        InputFormat.HTML,
        InputFormat.MD,
        InputFormat.CSV,
    ]
    converter = DocumentConverter(allowed_formats=formats, format_options={InputFormat.PDF: pdf})
    for input_format in formats:
        converter.initialize_pipeline(input_format)
    return converter
