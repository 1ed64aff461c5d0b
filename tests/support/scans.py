"""Scanned PDFs for the OCR tests: text drawn into an image with a font on the machine, the
image placed on a PDF page with no text layer, as a scanner writes it."""

from io import BytesIO
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

# DejaVu ships with fontconfig on Debian and Ubuntu; Liberation is the usual alternative.
_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)
# A scan of an A4 page at 100 dpi, small enough to keep the tests quick.
_PAGE_PIXELS = (827, 1169)

SCANNED_LINES = [
    "The boiler room inspection found a cracked valve.",
    "Replacement parts arrive from the Leeds depot on Tuesday.",
]
# Text of a page of the mixed PDF that has a text layer, and of its scanned page.
TYPED_PAGE = "The annual safety audit covered every warehouse in the northern region."
# A picture of text on the typed page: were pages with text OCRed, this would be read.
TYPED_PAGE_PICTURE = "Pictured banner: quarterly lighthouse regatta"
SCANNED_PAGE = [
    "Scanned memo: the forklift licence of every driver expires in March.",
    "Drivers renew their forklift licence at the training centre.",
]


def font_path() -> Path:
    """A TrueType font installed on this machine."""
    for path in _FONTS:
        if path.is_file():
            return path
    raise RuntimeError(f"None of these fonts is installed: {', '.join(map(str, _FONTS))}")


def scan(lines: list[str], degrees: int = 0) -> Image.Image:
    """A page image of `lines`, turned `degrees` anticlockwise as a sheet fed askew lands."""
    image = Image.new("L", _PAGE_PIXELS, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path()), 22)
    for row, line in enumerate(lines):
        draw.text((60, 80 + row * 40), line, font=font, fill=0)
    return image.rotate(degrees, expand=True, fillcolor=255) if degrees else image


def write_scanned_pdf(
    directory: Path, pages: list[list[str]], degrees: int = 0, name: str = "scan.pdf"
) -> Path:
    """A PDF whose every page is an image of its lines and nothing else."""
    pdf = FPDF(unit="pt")
    for lines in pages:
        _add_scanned_page(pdf, scan(lines, degrees))
    path = directory / name
    pdf.output(str(path))
    return path


def write_typed_pdf(directory: Path, pages: list[list[str]], name: str = "typed.pdf") -> Path:
    """The same pages as `write_scanned_pdf`, with a text layer instead of images."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 6, text=line, new_x="LMARGIN", new_y="NEXT")
    path = directory / name
    pdf.output(str(path))
    return path


def write_mixed_pdf(directory: Path) -> Path:
    """Page 1 typed (a text layer), page 2 a scan of SCANNED_PAGE, page 3 typed again."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text=TYPED_PAGE, new_x="LMARGIN", new_y="NEXT")
    banner = Image.new("L", (700, 60), 255)
    ImageDraw.Draw(banner).text(
        (10, 15), TYPED_PAGE_PICTURE, font=ImageFont.truetype(str(font_path()), 28), fill=0
    )
    pdf.image(banner, x=20, y=60, w=140)
    _add_scanned_page(pdf, scan(SCANNED_PAGE))
    pdf.add_page()
    pdf.multi_cell(0, 6, text="Appendix: the warehouse floor plans are kept by facilities.")
    path = directory / "mixed.pdf"
    pdf.output(str(path))
    return path


def write_pdf_with_corrupt_scan(directory: Path) -> Path:
    """A one-page scan whose JPEG image is damaged inside the PDF: its header survives, its
    data is noise, as a failing disk or a cut transfer leaves it."""
    buffer = BytesIO()
    scan(SCANNED_LINES).save(buffer, format="JPEG")
    jpeg = buffer.getvalue()
    pdf = FPDF(unit="pt")
    pdf.add_page(format=(_PAGE_PIXELS[0] * 0.72, _PAGE_PIXELS[1] * 0.72))
    pdf.image(BytesIO(jpeg), x=0, y=0, w=pdf.w, h=pdf.h)
    data = bytes(pdf.output())
    start = data.index(jpeg[:64])
    # Keep the markers that say what the image is; overwrite the scan's entropy-coded data.
    damaged = jpeg[:700] + bytes(len(jpeg) - 700)
    path = directory / "corrupt-scan.pdf"
    path.write_bytes(data[:start] + damaged + data[start + len(jpeg) :])
    return path


def _add_scanned_page(pdf: FPDF, image: Image.Image) -> None:
    width, height = image.size
    # 100 dpi: an inch is 72 points.
    pdf.add_page(format=(width * 0.72, height * 0.72))
    pdf.image(image, x=0, y=0, w=pdf.w, h=pdf.h)
