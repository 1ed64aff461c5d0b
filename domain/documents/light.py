"""Plain Markdown without docling's converter: headings and paragraphs, nothing else.

Most Markdown that reaches Beacon (wiki pages, tickets, FAQ entries, notes) is headings over
paragraphs of prose. For that, docling's Markdown conversion (marko's parse, its inline
walk, the GFM extensions) costs four times what reading the same text as plain text does
(measured: ~3.3 against ~0.8 CPU ms for a short passage, in a parser process) and adds
nothing: it makes a title of a level-1 heading, a section header of level n of a level-n+1
one, and of each paragraph one text item, its lines joined by spaces. This module builds
exactly that document. Anything else Markdown can say (lists, tables, code, quotes, links,
emphasis, HTML, entities, hard line breaks, setext headings...) answers None, and the file
goes through docling as before: the chunks, their headings and their citations come out the
same either way (tests/integration/documents/test_light_markdown.py compares them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from domain.documents.kinds import DocumentKind

if TYPE_CHECKING:
    from docling_core.types.doc.document import DoclingDocument

# An ATX heading with its text, and no closing #s (which docling would strip its own way).
_HEADING = re.compile(r"^(#{1,6})[ \t]+([^#]*[^#\s])[ \t]*$")
# Characters through which Markdown says more than prose: emphasis, code, links and images,
# HTML and entities, tables, escapes, strikethrough, GFM's autolinked addresses.
_MARKUP = re.compile(r"[*_`\[\]<>&|\\~@#!]|https?:|www\.|://")
# A line that starts a block other than a paragraph: lists, quotes, indented code, rules,
# setext underlines, fences.
_BLOCK_START = re.compile(r"^(?:[ ]{4}|\t|[ ]{0,3}(?:[-+*=>]|\d{1,9}[.)](?:\s|$)|```|~~~))")
_TRAILING_BREAK = re.compile(r"(?:[ ]{2,}|\\)$")  # a hard line break at the end of a line
# Line separators that Python and marko do not agree on, and the byte-order mark.
_ODD_SEPARATORS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\ufeff]")
# Larger files are rarer and more likely to hold something only docling reads right.
_LARGEST = 256 * 1024


def light_document(path: Path, kind: DocumentKind) -> DoclingDocument | None:
    """`path` as docling would make it, without docling's converter, when that is certain
    to come out the same; None when docling has to convert it."""
    if kind is not DocumentKind.MARKDOWN or path.stat().st_size > _LARGEST:
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    return plain_markdown(text, path.stem)


def plain_markdown(text: str, name: str) -> DoclingDocument | None:
    """The document docling would make of `text`, if it is only headings and paragraphs;
    None otherwise (docling converts it)."""
    from docling_core.types.doc.document import DoclingDocument
    from docling_core.types.doc.labels import DocItemLabel

    blocks: list[tuple[int, str]] = []  # (heading level, text); level 0: a paragraph
    paragraph: list[str] = []
    if _ODD_SEPARATORS.search(text):
        return None
    for line in text.split("\n"):
        if not line.strip():
            if paragraph:
                blocks.append((0, " ".join(paragraph)))
                paragraph = []
            continue
        heading = _HEADING.match(line)
        if heading is not None:
            title = heading.group(2).strip()
            if paragraph or _MARKUP.search(title):
                return None  # a heading inside a paragraph, or one with markup in it
            blocks.append((len(heading.group(1)), title))
            continue
        if _BLOCK_START.match(line) or _MARKUP.search(line) or _TRAILING_BREAK.search(line):
            return None
        paragraph.append(line.strip())
    if paragraph:
        blocks.append((0, " ".join(paragraph)))
    document = DoclingDocument(name=name)
    for level, content in blocks:
        if level == 0:
            document.add_text(label=DocItemLabel.TEXT, text=content)
        elif level == 1:
            document.add_title(text=content)
        else:
            document.add_heading(text=content, level=level - 1)
    return document
