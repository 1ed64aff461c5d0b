"""Answer metrics for `beacon eval --answers`: pure functions over answer texts, unit-tested.

- **Citation precision.** An answer's claims are read the way Beacon's citations read them
  (`domain/assistant/citations.py`): each run of `[n]` markers vouches for the quotation
  right before it, or else for the last sentence before it. A (claim, n) pair holds when the
  claim's words appear, contiguous and in order, in source n's text, ignoring case,
  punctuation, quote styles and spacing (`normalise`). A marker naming no source never
  holds. Precision is held pairs over all pairs, across every answer of the run.
- **Abstention.** An answer abstains when it cites nothing and says that the documents do
  not answer (`ABSTENTION`: the extractive generator's own sentence, or how an LLM words it).
  A question without a relevant passage should get one; anything else there, cited or not,
  is a failure to abstain. On answerable questions abstaining is counted too, as refusals,
  so that a generator that refuses everything cannot look good.
- **Faithfulness.** With an LLM configured, a judge scores each answer that does not abstain
  from 1 (unsupported) to 5 (every statement supported by its sources); see `answer_judge`.
"""

import re
import statistics
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.assistant.text import sentences

_MARKERS = re.compile(r"(?:\s*\[\d{1,3}\])+")
_NUMBER = re.compile(r"\[(\d{1,3})\]")
# A quotation closing the text before a marker, as the extractive generator writes them.
_QUOTED = re.compile(r"[\u201c\"]([^\u201c\u201d\"]+)[\u201d\"]\s*$")
_NOT_WORD = re.compile(r"[\W_]+")
# "do not cover", "doesn't mention", "is not in the documents", "cannot answer", "no information".
ABSTENTION = re.compile(
    r"\b(?:do|does|did)(?: not|n[\u2019']t) (?:\w+ )?(?:cover|answer|contain|mention|say|state|"
    r"provide|include|address|discuss|specify|describe|explain|have|give)"
    r"|\bnot (?:\w+ )?(?:in|from|covered by|mentioned in|found in|answered by) (?:the|your|these|"
    r"any) (?:documents?|sources?|passages?|context)"
    r"|\b(?:cannot|can[\u2019']t|can not|unable to) (?:\w+ )?(?:answer|find|determine|tell)"
    r"|\bno (?:information|mention|answer|relevant)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Claim:
    """A piece of an answer and the source numbers that vouch for it."""

    text: str
    numbers: tuple[int, ...]


def claims(answer: str) -> list[Claim]:
    """Every run of markers with the quotation, or sentence, right before it."""
    found: list[Claim] = []
    previous = 0
    for group in _MARKERS.finditer(answer):
        before = answer[previous : group.start()].rstrip()
        previous = group.end()
        numbers = tuple(dict.fromkeys(int(n) for n in _NUMBER.findall(group.group())))
        quoted = _QUOTED.search(before)
        if quoted:
            text = quoted.group(1)
        else:
            parts = sentences(before)
            text = parts[-1] if parts else before
        if normalise(text):
            found.append(Claim(text.strip(), numbers))
    return found


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces: case, punctuation and spacing ignored."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def holds(claim: str, source: str) -> bool:
    """Whether the claim's words appear, contiguous and in order, in the source's."""
    wanted = normalise(claim)
    return bool(wanted) and f" {wanted} " in f" {normalise(source)} "


@dataclass(frozen=True)
class Support:
    """An answer's (claim, cited source) pairs: how many, and how many hold."""

    held: int
    cited: int


def citation_support(answer: str, sources: Mapping[int, str]) -> Support:
    """Check every (claim, n) pair of `answer` against the text of source n."""
    pairs = [(claim.text, number) for claim in claims(answer) for number in claim.numbers]
    held = sum(number in sources and holds(text, sources[number]) for text, number in pairs)
    return Support(held, len(pairs))


def abstains(answer: str) -> bool:
    """Whether the answer cites nothing and says the documents do not answer the question."""
    return not _NUMBER.search(answer) and ABSTENTION.search(answer) is not None


@dataclass(frozen=True)
class AnswerOutcome:
    """What one question's answer scored."""

    question_id: str
    answerable: bool  # False: every passage judged relevant to it was left out
    abstained: bool
    support: Support
    judged: bool = False  # the judge was asked (answers that abstain are not)
    faithfulness: int | None = None  # the judge's 1-5; None: not judged, or no score in its reply
    fallback: bool = False  # written by the extractive fallback after the LLM failed


def score(
    question_id: str,
    answerable: bool,
    answer: str,
    sources: Mapping[int, str],
    judged: bool = False,
    faithfulness: int | None = None,
    fallback: bool = False,
) -> AnswerOutcome:
    """One answer's outcome."""
    return AnswerOutcome(
        question_id,
        answerable,
        abstains(answer),
        citation_support(answer, sources),
        judged,
        faithfulness,
        fallback,
    )


@dataclass(frozen=True)
class AnswerReport:
    """The run's answer metrics; a ratio is None when nothing was there to measure."""

    answerable: int
    unanswerable: int
    cited_pairs: int
    held_pairs: int
    answers_citing: int
    answers_fully_supported: int
    refused_answerable: int
    abstained_unanswerable: int
    judged: int
    unreadable_verdicts: int
    faithfulness: float | None  # mean judge score, 1-5
    fallbacks: int

    @property
    def citation_precision(self) -> float | None:
        """Held (claim, source) pairs over all pairs."""
        return self.held_pairs / self.cited_pairs if self.cited_pairs else None

    @property
    def abstention(self) -> float | None:
        """Share of the questions without a relevant passage that got an abstention."""
        return self.abstained_unanswerable / self.unanswerable if self.unanswerable else None

    @property
    def refusal(self) -> float | None:
        """Share of the answerable questions that got an abstention."""
        return self.refused_answerable / self.answerable if self.answerable else None


def summarise(outcomes: Sequence[AnswerOutcome]) -> AnswerReport:
    """Add up the outcomes of a run."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    citing = [o for o in outcomes if o.support.cited]
    scores = [o.faithfulness for o in outcomes if o.faithfulness is not None]
    return AnswerReport(
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        cited_pairs=sum(o.support.cited for o in outcomes),
        held_pairs=sum(o.support.held for o in outcomes),
        answers_citing=len(citing),
        answers_fully_supported=sum(o.support.held == o.support.cited for o in citing),
        refused_answerable=sum(o.abstained for o in answerable),
        abstained_unanswerable=sum(o.abstained for o in unanswerable),
        judged=sum(o.judged for o in outcomes),
        unreadable_verdicts=sum(o.judged and o.faithfulness is None for o in outcomes),
        faithfulness=statistics.fmean(scores) if scores else None,
        fallbacks=sum(o.fallback for o in outcomes),
    )


def _ratio(value: float | None, detail: str) -> str:
    shown = "-" if value is None else f"{value:.4f}"
    return f"{shown:>8}  {detail}"


def format_answers(report: AnswerReport, generator: str, judge: bool) -> str:
    """The answer metrics as lines for the report, each with what it counts."""
    lines = [
        f"answers by {generator}: {report.answerable} answerable questions, "
        f"{report.unanswerable} with every relevant passage left out",
        "citation precision  "
        + _ratio(
            report.citation_precision,
            f"({report.held_pairs}/{report.cited_pairs} cited claims found in their source; "
            f"{report.answers_fully_supported}/{report.answers_citing} citing answers hold "
            "throughout)",
        ),
        "abstention          "
        + _ratio(
            report.abstention,
            f"({report.abstained_unanswerable}/{report.unanswerable} questions without a "
            "relevant passage answered 'not in the documents')",
        ),
        "refusal             "
        + _ratio(
            report.refusal,
            f"({report.refused_answerable}/{report.answerable} answerable questions refused)",
        ),
    ]
    if judge:
        mean = "-" if report.faithfulness is None else f"{report.faithfulness:.2f}"
        lines.append(
            f"faithfulness (LLM judge, 1-5) {mean}  ({report.judged} answers judged, "
            f"{report.unreadable_verdicts} verdicts without a score; abstentions not judged)"
        )
    if report.fallbacks:
        lines.append(f"{report.fallbacks} answers came from the extractive fallback")
    return "\n".join(lines)
