"""The document types Beacon ingests."""

from enum import StrEnum


class DocumentKind(StrEnum):
    """An accepted type, decided from the file's bytes."""

    PDF = "pdf"
    DOCX = "docx"
    PPTX = "pptx"
    XLSX = "xlsx"
    HTML = "html"
    MARKDOWN = "markdown"
    CSV = "csv"
    TEXT = "text"

    @property
    def content_type(self) -> str:
        """The MIME type Beacon reports for this kind."""
        return _CONTENT_TYPES[self]

    @property
    def label(self) -> str:
        """How messages to people name a file of this kind ("the PDF", "this Excel workbook")."""
        return _LABELS[self]


_CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentKind.HTML: "text/html",
    DocumentKind.MARKDOWN: "text/markdown",
    DocumentKind.CSV: "text/csv",
    DocumentKind.TEXT: "text/plain",
}
_LABELS = {
    DocumentKind.PDF: "PDF",
    DocumentKind.DOCX: "Word document",
    DocumentKind.PPTX: "PowerPoint presentation",
    DocumentKind.XLSX: "Excel workbook",
    DocumentKind.HTML: "HTML page",
    DocumentKind.MARKDOWN: "Markdown file",
    DocumentKind.CSV: "CSV file",
    DocumentKind.TEXT: "text file",
}
