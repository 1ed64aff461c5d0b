"""OCR of the PDF pages that have no text layer, beside docling, with models from the wheel.

Docling's own OCR runs only in its layout pipeline, whose model weights Beacon does not ship,
so scanned pages are read here: pypdfium2 renders only the pages without text, RapidOCR
(PP-OCR detection and recognition in ONNX, carried inside the `rapidocr` wheel) reads them,
and their text joins docling's document on its own page, so chunks and citations name it.

This runs in the parser's worker processes; RapidOCR, onnxruntime and OpenCV are imported
only when a `PageReader` is built, so importing this module stays cheap.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domain.errors import CorruptDocument

if TYPE_CHECKING:
    from docling_core.types.doc.document import DoclingDocument
    from docling_core.types.doc.items.node import NodeItem
    from PIL.Image import Image

# RapidOCR shrinks anything longer to this many pixels before detection, so rendering a page
# larger only costs memory; it also bounds the bitmap of a page that claims to be huge.
RENDER_LONG_SIDE = 2000
# A page read with a mean confidence below this may be upside down: the other way is tried
# and the better-scoring reading kept. Upright print scores ~0.99, upside-down ~0.7.
_CONFIDENT = 0.9
# A vertical gap between lines taller than this many line heights starts a new paragraph.
_PARAGRAPH_GAP = 0.9
_MODELS = {  # the PP-OCR models inside the rapidocr 3.x wheel, under rapidocr/models
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}


@dataclass(frozen=True)
class Line:
    """A line of recognised text, with its box's top and bottom in the upright page's pixels."""

    text: str
    score: float
    top: float
    bottom: float


def packaged_models() -> dict[str, Path]:
    """The detection and recognition models, by RapidOCR's config section, as the installed
    wheel carries them; a missing file means the wheel changed, never a download."""
    import rapidocr  # type: ignore[import-untyped, unused-ignore]

    folder = Path(rapidocr.__file__).parent / "models"
    models = {section: folder / name for section, name in _MODELS.items()}
    missing = [str(path) for path in models.values() if not path.is_file()]
    if missing:
        raise RuntimeError(f"The rapidocr package lacks its OCR models: {', '.join(missing)}")
    return models


class PageReader:
    """RapidOCR, set up to read whole pages from the packaged models and nothing else."""

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        params: dict[str, Any] = {
            # A blank page makes it warn that it detected no text: not worth a log line.
            "Global.log_level": "error",
            # Lines are read as the page lies; the page's orientation is decided for the
            # whole page (see `read`), which also orders the lines, where a per-line
            # classifier would read each line but leave an upside-down page's lines reversed.
            "Global.use_cls": False,
            # One thread: a parser process shares the cores with the embedder, and more
            # parser processes are the way to scale. On 2 busy cores, a dense page cost
            # 5.6 CPU s (16 s) at one thread, 8.0 CPU s (20-25 s) at onnxruntime's default.
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        # Explicit model paths: RapidOCR's download step runs only when a path is missing.
        for section, path in packaged_models().items():
            params[f"{section}.model_path"] = str(path)
        self._engine = RapidOCR(params=params)
        # RapidOCR prints through its own coloured console handler; its errors go through
        # the process's logging instead, formatted like every other line (JSON in production).
        rapidocr_log = logging.getLogger("RapidOCR")
        for handler in list(rapidocr_log.handlers):
            rapidocr_log.removeHandler(handler)
        rapidocr_log.propagate = True

    def read(self, image: Image) -> list[Line]:
        """The page's lines in reading order, the page turned the right way up first.

        Lines mostly taller than wide mean the page lies on its side: it is turned a quarter
        and read both ways up. Otherwise it is read as it lies, and turned half a turn only
        if the reading is unsure. The more confident reading wins.
        """
        first = self._lines(image, 0)
        if not first.lines:
            return []
        turns: tuple[int, ...]
        best: _Reading | None
        if first.sideways:
            turns, best = (90, 270), None
        else:
            turns, best = (180,), first
        for degrees in turns:
            if best is not None and best.confidence >= _CONFIDENT:
                break
            reading = self._lines(image, degrees)
            if best is None or reading.confidence > best.confidence:
                best = reading
        assert best is not None
        return best.lines

    def _lines(self, image: Image, degrees: int) -> _Reading:
        import numpy
        from rapidocr.utils.output import RapidOCROutput

        turned = image.rotate(degrees, expand=True) if degrees else image
        result = self._engine(numpy.asarray(turned.convert("RGB")))
        # Without any text detected, RapidOCR answers with a bare (or a detection-only) result.
        if not isinstance(result, RapidOCROutput) or result.boxes is None or not result.txts:
            return _Reading([], sideways=False)
        assert result.scores is not None
        lines, tall = [], 0
        boxes: list[Any] = list(result.boxes)
        for box, text, score in zip(boxes, result.txts, result.scores, strict=True):
            xs, ys = [float(x) for x, _ in box], [float(y) for _, y in box]
            tall += max(ys) - min(ys) > max(xs) - min(xs)
            if text.strip():
                lines.append(Line(text.strip(), float(score), min(ys), max(ys)))
        return _Reading(lines, sideways=tall * 2 > len(boxes))


@dataclass(frozen=True)
class _Reading:
    lines: list[Line]
    sideways: bool

    @property
    def confidence(self) -> float:
        """The lines' mean score, weighted by their length."""
        weight = sum(len(line.text) for line in self.lines)
        if not weight:
            return 0.0
        return sum(line.score * len(line.text) for line in self.lines) / weight


def paragraphs(lines: list[Line]) -> list[str]:
    """Lines joined into paragraphs at vertical gaps; lines side by side join on one line."""
    if not lines:
        return []
    height = statistics.median(line.bottom - line.top for line in lines)
    found: list[list[str]] = [[lines[0].text]]
    bottom = lines[0].bottom
    for line in lines[1:]:
        if line.top - bottom > _PARAGRAPH_GAP * height:
            found.append([])
        found[-1].append(line.text)
        bottom = max(bottom, line.bottom) if line.top < bottom else line.bottom
    return [" ".join(paragraph) for paragraph in found]


def pages_without_text(pdf: Any) -> list[int]:
    """The 1-based numbers of a pypdfium2 document's pages whose text layer holds no letter
    or digit (a scan, perhaps stamped with punctuation or a blank layer)."""
    blank = []
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
            finally:
                textpage.close()
        finally:
            page.close()
        if not any(ch.isalnum() for ch in text):
            blank.append(index + 1)
    return blank


def read_pages(path: Path, numbers: list[int], reader: PageReader) -> Iterator[tuple[int, str]]:
    """Each listed page's paragraphs, rendered and read one page at a time."""
    import pypdfium2  # type: ignore[import-untyped, unused-ignore]

    pdf = pypdfium2.PdfDocument(path)
    try:
        for number in numbers:
            page = pdf[number - 1]
            try:
                _check_images(page, number)
                width, height = page.get_size()
                scale = RENDER_LONG_SIDE / max(width, height, 1.0)
                image = page.render(scale=scale, grayscale=True).to_pil()
            finally:
                page.close()
            for paragraph in paragraphs(reader.read(image)):
                yield number, paragraph
    finally:
        pdf.close()


def _check_images(page: Any, number: int) -> None:
    """Refuse a page whose JPEG scan is damaged. pdfium renders what it can of a damaged
    JPEG and fills the rest with grey, so the page's text would silently be missing; Pillow
    refuses such data. It decodes at an eighth of the size (JPEG's draft mode), which still
    reads all of the data, in a fraction of the time and memory of the full image."""
    import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped, unused-ignore]
    from PIL import Image, UnidentifiedImageError

    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        if image.get_filters() != ["DCTDecode"]:
            continue
        try:
            with Image.open(BytesIO(bytes(image.get_data(decode_simple=True)))) as jpeg:
                jpeg.draft("L", (max(jpeg.width // 8, 1), max(jpeg.height // 8, 1)))
                jpeg.load()
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
            raise CorruptDocument(
                f"The scanned image on page {number} of the PDF is damaged and cannot be read."
            ) from None


def merge_pages(document: DoclingDocument, texts: list[tuple[int, str]]) -> None:
    """Insert OCR paragraphs into `document` in page order, each with its page's provenance.

    Each paragraph goes before the first top-level item that starts on a later page, so the
    reading order stays the pages' order. Its box is the whole page: the page number is what
    chunks and citations use.
    """
    from docling_core.types.doc.base import BoundingBox, CoordOrigin, Size
    from docling_core.types.doc.common.reference import ProvenanceItem
    from docling_core.types.doc.labels import DocItemLabel

    top_level = [
        (_first_page(ref.resolve(document), document), ref) for ref in document.body.children
    ]
    for number, text in texts:
        page = document.pages.get(number)
        if page is None:
            # docling lists the pages it read; one it skipped still counts, at no known size.
            page = document.add_page(page_no=number, size=Size(width=1, height=1))
        prov = ProvenanceItem(
            page_no=number,
            bbox=BoundingBox(
                l=0, t=page.size.height, r=page.size.width, b=0, coord_origin=CoordOrigin.BOTTOMLEFT
            ),
            charspan=(0, len(text)),
        )
        later = next(
            (ref for first, ref in top_level if first is not None and first > number), None
        )
        if later is None:
            document.add_text(label=DocItemLabel.TEXT, text=text, prov=prov)
        else:
            document.insert_text(
                sibling=later.resolve(document),
                label=DocItemLabel.TEXT,
                text=text,
                prov=prov,
                after=False,
            )


def _first_page(item: NodeItem, document: DoclingDocument) -> int | None:
    """The page on which an item, or the first of its descendants with a page, starts."""
    prov = getattr(item, "prov", None)
    if prov:
        return int(prov[0].page_no)
    for child in item.children:
        found = _first_page(child.resolve(document), document)
        if found is not None:
            return found
    return None
