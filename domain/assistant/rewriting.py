"""Turning a follow-up question into a standalone search query, without a language model."""

import re

from domain.assistant.generation.base import Turn
from domain.assistant.text import content_terms, content_words

_FOLLOW_UP_START = re.compile(
    r"^\s*(and|or|but|also|so|then|what about|how about|and what|and how|what if)\b", re.I
)
_REFERRING = re.compile(r"\b(it|its|they|them|their|this|that|these|those|there|he|she)\b", re.I)
_SHORT = 8  # words: short questions lean on what was said before


def looks_like_follow_up(question: str) -> bool:
    """Starts like a continuation, or is short and points back at something."""
    words = question.split()
    return bool(_FOLLOW_UP_START.match(question)) or (
        len(words) <= _SHORT and bool(_REFERRING.search(question))
    )


def rewrite_follow_up(question: str, history: list[Turn]) -> str:
    """Add the topic of the previous question when the new one cannot stand alone.

    "And are receipts needed?" after "What is the travel expenses policy?" becomes
    "And are receipts needed? (travel expense policy)": the search then finds the policy.
    """
    previous = next((turn.text for turn in reversed(history) if turn.role == "user"), None)
    if previous is None or not looks_like_follow_up(question):
        return question
    asked = set(content_words(question))
    topic = [word for stem, word in content_terms(previous).items() if stem not in asked]
    return f"{question} ({' '.join(topic)})" if topic else question
