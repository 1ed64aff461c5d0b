"""Small text tools for the offline assistant: sentences, content words, overlap.

Regular expressions are enough here: the inputs are chunks we produced ourselves and
questions of a sentence or two, and the only consumer is a ranking heuristic. A full NLP
library would add hundreds of megabytes to install and nothing measurable to the answers.
"""

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n{2,}|\n(?=[#*\-|])")
# Line ends and starts that tell a heading line from a wrapped line of text (`is_heading`).
_SENTENCE_CLOSED = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
_CLAUSE_END = re.compile(r"[.!?,;:][\"'\u201d\u2019)\]]*$")
_SENTENCE_START = re.compile(r"\s*(?:[#*\-|]|[\"'(\[\u201c\u2018]?[A-Z0-9])")
_HEADING_MAX_WORDS = 10
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][a-z]+)?")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves also please tell know need needed much many get got may might must shall""".split()  # noqa: SIM905 - a word list reads best as words
)
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def sentences(text: str) -> list[str]:
    """The sentences (or list items, or table rows) of a chunk, verbatim and stripped.

    Heading lines are left out: a heading is not a statement, and glued to the sentence
    below it ("Section 2: Records The lighthouse keeper…") it would turn a quote into one.
    """
    parts = (
        part.strip() for block in _between_headings(text) for part in _SENTENCE_END.split(block)
    )
    return [part for part in parts if len(part) > 1]


def is_heading(line: str, following: str) -> bool:
    """Whether `line`, which starts a sentence and is followed by the line `following`, is
    a heading: a few words, not a clause (no closing punctuation, no trailing stop word),
    and the text below starts a sentence, list item or table of its own.

    PDFs read without a layout model (and plain text) carry no heading markup: a heading is
    only a short line, and its text's first line follows it after a single line break, just
    as a wrapped line follows the one before it. A wrapped line is long, ends mid-clause or
    is followed by a lower-case word, which is what tells the two apart.
    """
    words = line.split()
    if not words or len(words) > _HEADING_MAX_WORDS or line.lstrip()[0] in "*-|":
        return False  # list items and table rows are sentences of their own
    last = words[-1].lower().strip("\"'\u201d\u2019)]")
    return (
        not _CLAUSE_END.search(line.rstrip())
        and last not in STOPWORDS
        and bool(_SENTENCE_START.match(following))
    )


def _between_headings(text: str) -> list[str]:
    """The text cut at its heading lines, which are dropped."""
    lines = text.split("\n")
    blocks: list[str] = []
    current: list[str] = []
    opens = True  # the next line starts a sentence
    for index, line in enumerate(lines):
        if opens and line.strip() and is_heading(line, _next_text(lines, index)):
            blocks.append("\n".join(current))
            current = []
            continue
        current.append(line)
        stripped = line.strip()
        opens = not stripped or stripped[0] in "#*-|" or bool(_SENTENCE_CLOSED.search(stripped))
    blocks.append("\n".join(current))
    return blocks


def _next_text(lines: list[str], index: int) -> str:
    """The first line after `index` that is not blank ("" if none)."""
    return next((line for line in lines[index + 1 :] if line.strip()), "")


def body_start(passage: str, heading_path: list[str]) -> int:
    """Where a passage's own text starts, after the headings that chunking puts first.

    The headings may sit on an earlier page than the passage: quoting them would make a
    snippet start on a page other than the one its citation names.
    """
    prefix = "".join(f"{heading}\n" for heading in heading_path)
    if passage.startswith(prefix) and passage[len(prefix) :].strip():
        return len(prefix)
    return 0  # no headings, or nothing but headings


def stem(word: str) -> str:
    """A crude stem: `receipts`, `receipted` and `receipt` meet as `receipt`."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> dict[str, str]:
    """The words that carry meaning, by stem (first spelling seen), in order."""
    terms: dict[str, str] = {}
    for word in _WORD.findall(text.lower()):
        if word not in STOPWORDS and len(word) > 1:
            terms.setdefault(stem(word), word)
    return terms


def content_words(text: str) -> list[str]:
    """Lower-cased stems of the words that carry meaning, in order, without repeats."""
    return list(content_terms(text))


def coverage(question_terms: list[str], text: str) -> float:
    """The share of the question's content words that `text` contains (0 to 1)."""
    if not question_terms:
        return 0.0
    present = set(content_words(text))
    return sum(term in present for term in question_terms) / len(question_terms)
