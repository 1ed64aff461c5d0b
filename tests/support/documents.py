"""Realistic test documents, generated on demand so no binary fixture is committed."""

import csv
import zipfile
from pathlib import Path

from docling_core.types.doc.document import DoclingDocument
from docx import Document as WordDocument
from fpdf import FPDF
from openpyxl import Workbook
from pptx import Presentation
from pptx.util import Inches

# A sentence that occurs on exactly one page of the multi-page PDF, so a test can find
# the chunk holding it and check the page number the chunk carries.
PDF_PAGE_SENTENCE = "The lighthouse keeper logged entry {page} in the harbour ledger."
PDF_PAGE_COUNT = 3

DOCX_TITLE = "Quarterly Operations Review"
DOCX_SECTION = "Shipping Costs"
DOCX_SENTENCE = "Freight rates rose sharply after the canal closure."
DOCX_TABLE = [["Route", "Cost"], ["Rotterdam", "1200"], ["Singapore", "2300"]]

PPTX_SLIDES = [
    ("Roadmap", "The beacon project ships its search feature in spring."),
    ("Risks", "Vendor delays could push the rollout into summer."),
]
XLSX_ROWS = [["Region", "Revenue"], ["North", 4200], ["South", 3100]]
HTML_TITLE = "Travel Policy"
HTML_SENTENCE = "Employees book trains for trips under four hours."
MARKDOWN_HEADINGS = ("Onboarding Guide", "First Week")
MARKDOWN_SENTENCE = "New starters pair with a mentor for their first week."
CSV_ROWS = [["name", "team"], ["Ada", "Platform"], ["Grace", "Compilers"]]
TEXT_SENTENCE = "The quiet archive keeps every meeting note since 2019."

# Short pages, slides and sheets whose text occurs on no other: the chunker would fit
# several into one passage, and each passage, search hit and citation must name the page
# that holds its text. Each item is one page, as the strings that only it contains.
SHORT_PDF_PAGES = [
    ["The harbour pilot boards every tanker at dawn.", "Pilots rest eight hours between tides."],
    [
        "The cargo manifest lists twelve containers of copper wire.",
        "Customs sealed the copper containers before noon.",
    ],
    [
        "The lighthouse lamp was replaced with a solar beacon in May.",
        "The old lamp now stands in the maritime museum.",
    ],
]
SLIDES = [
    ["Our ferry fleet grew to nine vessels this year."],
    ["Ticket sales on the island route doubled since spring."],
    ["The new terminal opens to passengers in October."],
    ["Fuel costs fell after the switch to electric engines."],
]
SLIDES_TITLE = "Fleet report"
SHEET_HEADER = ["Vessel", "Cargo", "Destination"]
SHEETS = {
    "North": [["Aurora", "copper", "Oslo"], ["Borealis", "salmon", "Bergen"]],
    "South": [["Calypso", "timber", "Lisbon"], ["Delphine", "olives", "Valencia"]],
    "East": [["Electra", "marble", "Piraeus"], ["Fortuna", "cotton", "Izmir"]],
}
SHEET_PAGES = [[cell for row in rows for cell in row] for rows in SHEETS.values()]

_FILLER = (
    "Operations continued as planned while the team reviewed schedules, budgets and the "
    "maintenance backlog for the coming quarter. "
)


def page_of(text: str, pages: list[list[str]]) -> int | None:
    """The page (from 1) of whichever of the pages' own strings comes first in `text`."""
    found = [
        (position, page)
        for page, strings in enumerate(pages, start=1)
        for string in strings
        if (position := text.find(string)) >= 0
    ]
    return min(found)[1] if found else None


def write_multi_page_pdf(directory: Path, pages: int = PDF_PAGE_COUNT) -> Path:
    """A PDF with a heading and a known sentence on each page, plus filler paragraphs."""
    pdf = FPDF()
    for page in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(text=f"Section {page}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text=_FILLER * 4, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(
            0, 6, text=PDF_PAGE_SENTENCE.format(page=page), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.multi_cell(0, 6, text=_FILLER * 4)
    return _save_pdf(pdf, directory / "report.pdf")


def write_short_pdf(directory: Path, pages: int) -> Path:
    """A PDF of the first `pages` of SHORT_PDF_PAGES, a few lines each."""
    pdf = FPDF()
    for lines in SHORT_PDF_PAGES[:pages]:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for line in lines:
            pdf.multi_cell(0, 6, text=line, new_x="LMARGIN", new_y="NEXT")
    return _save_pdf(pdf, directory / f"short-{pages}.pdf")


def write_pdf_with_pages(directory: Path, pages: int) -> Path:
    """A PDF of `pages` short pages, for the page limit."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for page in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(text=f"Page {page} of the long appendix.")
    return _save_pdf(pdf, directory / f"pages-{pages}.pdf")


def write_truncated_pdf(directory: Path) -> Path:
    """A valid PDF cut in half, as an interrupted upload leaves it."""
    whole = write_multi_page_pdf(directory).read_bytes()
    path = directory / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def write_encrypted_pdf(directory: Path) -> Path:
    """A PDF that needs a user password to open."""
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(text="Confidential salary bands.")
    return _save_pdf(pdf, directory / "encrypted.pdf")


def write_image_only_pdf(directory: Path) -> Path:
    """A PDF with a drawing but no text layer, like a scan without OCR."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return _save_pdf(pdf, directory / "scan.pdf")


def write_docx(directory: Path) -> Path:
    """A Word file with a title, a section heading, a paragraph and a table."""
    document = WordDocument()
    document.add_heading(DOCX_TITLE, level=1)
    document.add_paragraph("This review covers the quarter's logistics.")
    document.add_heading(DOCX_SECTION, level=2)
    document.add_paragraph(DOCX_SENTENCE)
    table = document.add_table(rows=len(DOCX_TABLE), cols=len(DOCX_TABLE[0]))
    for row, values in zip(table.rows, DOCX_TABLE, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    path = directory / "review.docx"
    document.save(str(path))
    return path


def write_long_docx(directory: Path, paragraphs: int) -> Path:
    """A Word file of many sections, big enough to take a while to parse and chunk."""
    document = WordDocument()
    for index in range(paragraphs):
        if index % 20 == 0:
            document.add_heading(f"Part {index // 20 + 1}", level=1)
        document.add_paragraph(f"Paragraph {index}. " + _FILLER * 3)
    path = directory / f"long-{paragraphs}.docx"
    document.save(str(path))
    return path


def write_pptx(directory: Path) -> Path:
    """A two-slide presentation, each slide with a title and a sentence."""
    presentation = Presentation()
    layout = presentation.slide_layouts[1]  # "Title and Content"
    for title, body in PPTX_SLIDES:
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    path = directory / "roadmap.pptx"
    presentation.save(str(path))
    return path


def write_untitled_slides(directory: Path, first_title: str | None = None) -> Path:
    """A presentation of SLIDES, text boxes without titles, as slides often are; with
    `first_title`, the first slide has that title, which then heads every slide."""
    presentation = Presentation()
    for number, lines in enumerate(SLIDES):
        if number == 0 and first_title is not None:
            slide = presentation.slides.add_slide(presentation.slide_layouts[5])  # title only
            slide.shapes.title.text = first_title
        else:
            slide = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank
        box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(8), Inches(2))
        box.text_frame.text = "\n".join(lines)
    path = directory / ("fleet.pptx" if first_title is None else "fleet-titled.pptx")
    presentation.save(str(path))
    return path


def write_xlsx(directory: Path) -> Path:
    """A workbook with one small sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Revenue"
    for row in XLSX_ROWS:
        sheet.append(row)
    path = directory / "revenue.xlsx"
    workbook.save(str(path))
    return path


def write_workbook(directory: Path) -> Path:
    """A workbook of SHEETS, in order, each a small table under SHEET_HEADER."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    for index, (name, rows) in enumerate(SHEETS.items()):
        sheet = first if index == 0 else workbook.create_sheet()
        sheet.title = name
        for row in [SHEET_HEADER, *rows]:
            sheet.append(row)
    path = directory / "shipments.xlsx"
    workbook.save(str(path))
    return path


def write_html(directory: Path, name: str = "policy.html") -> Path:
    """A small HTML page with a heading and a paragraph."""
    path = directory / name
    path.write_text(
        "<!DOCTYPE html>\n<html><head><title>Policy</title></head><body>"
        f"<h1>{HTML_TITLE}</h1><p>{HTML_SENTENCE}</p></body></html>\n",
        encoding="utf-8",
    )
    return path


def write_markdown(directory: Path) -> Path:
    """A Markdown file with two heading levels."""
    top, sub = MARKDOWN_HEADINGS
    path = directory / "onboarding.md"
    path.write_text(
        f"# {top}\n\nWelcome to the company.\n\n## {sub}\n\n{MARKDOWN_SENTENCE}\n",
        encoding="utf-8",
    )
    return path


def write_csv(directory: Path) -> Path:
    """A small CSV table."""
    path = directory / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(CSV_ROWS)
    return path


def write_long_csv(directory: Path, rows: int) -> Path:
    """A CSV table far longer than one chunk, so the chunker must split it by rows."""
    path = directory / f"ledger-{rows}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["entry", "vessel", "cargo", "tonnes"])
        writer.writerows([i, f"Vessel {i}", "grain and timber", i * 7] for i in range(rows))
    return path


def write_text(directory: Path) -> Path:
    """A plain text file of two paragraphs."""
    path = directory / "notes.txt"
    path.write_text(f"Meeting notes\n\n{TEXT_SENTENCE}\n", encoding="utf-8")
    return path


def write_unpunctuated_text(directory: Path, words: int = 6000) -> Path:
    """One long line of words with no punctuation or line break, the worst case for splitting."""
    vocabulary = ["harbour", "signal", "keeper", "tide", "lantern", "reef", "ledger", "storm"]
    path = directory / "run-on.txt"
    path.write_text(" ".join(vocabulary[i % len(vocabulary)] for i in range(words)), "utf-8")
    return path


def write_docx_zip_bomb(directory: Path, megabytes: int = 50) -> Path:
    """A DOCX-shaped zip whose document part inflates to `megabytes` of zeros (~50 KB on disk)."""
    path = directory / "bomb.docx"
    block = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        # Streamed in blocks so building the bomb never holds it in memory either.
        with archive.open("word/document.xml", "w") as entry:
            for _ in range(megabytes):
                entry.write(block)
    return path


def write_exe_named_pdf(directory: Path) -> Path:
    """A Windows-executable-looking file saved under a `.pdf` name."""
    header = bytearray(512)
    header[0:2] = b"MZ"
    header[0x3C:0x40] = (0x80).to_bytes(4, "little")  # where the PE header starts
    header[0x80:0x84] = b"PE\0\0"
    path = directory / "invoice.pdf"
    path.write_bytes(bytes(header) + b"This program cannot be run in DOS mode.\r\n")
    return path


def write_html_named_pdf(directory: Path) -> Path:
    """An HTML page saved under a `.pdf` name."""
    return write_html(directory, name="statement.pdf")


def write_empty(directory: Path, name: str = "empty.pdf") -> Path:
    """A zero-byte file."""
    path = directory / name
    path.write_bytes(b"")
    return path


def _save_pdf(pdf: FPDF, path: Path) -> Path:
    pdf.output(str(path))
    return path


MEMORY_BOMB_MARKER = "hoard memory"
_HOARD_CAP_BYTES = 1024 * 1024 * 1024  # without a limit, the hoarding stops here


def write_memory_bomb(directory: Path) -> Path:
    """A small text file that a parser set up with `hoarding_text_parser` cannot parse
    without allocating more and more memory."""
    path = directory / "bomb.txt"
    path.write_text(f"Looks harmless\n\n{MEMORY_BOMB_MARKER}\n", encoding="utf-8")
    return path


def hoarding_text_parser() -> None:
    """`DocumentParser(worker_setup=...)`, run in the parser's process: a text holding the
    marker makes the parser allocate without end, as a parser building a vast structure from
    a small file would (up to 1 GB, should nothing limit it)."""
    from domain.documents import parser_worker

    original = parser_worker.text_document

    def hoarding(path: Path) -> DoclingDocument:
        if MEMORY_BOMB_MARKER in path.read_text(encoding="utf-8"):
            hoard: list[bytearray] = []
            while len(hoard) * 16 * 1024 * 1024 < _HOARD_CAP_BYTES:
                hoard.append(bytearray(16 * 1024 * 1024))
        return original(path)

    parser_worker.text_document = hoarding
