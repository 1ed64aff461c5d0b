"""Lexical search for the in-memory vector store: the word analysis base.py promises of every
store, and Okapi BM25 over it (Weaviate's parameters), so rankings behave like a real store's.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from domain.retrieval.vectorstores.base import ENGLISH_STOP_WORDS

# Weaviate's defaults (and Lucene's): how fast repeats saturate, and how much length matters.
K1 = 1.2
B = 0.75
_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)
_WORD = re.compile(r"[^\W_]+")  # runs of letters and digits, as Weaviate's "word" tokenizer


def terms(text: str) -> Counter[str]:
    """The searched words of `text` and how often each occurs: split at anything but letters
    and digits, accents folded, case folded, stop words dropped. No stemming (as Weaviate)."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return Counter(word for word in _WORD.findall(folded) if word not in _STOP_WORDS)


def bm25(query: str, documents: Sequence[Counter[str]]) -> list[float]:
    """Each document's BM25 score for `query` among `documents` (their `terms`); 0 when it
    holds none of the query's words. Always positive otherwise, however common a word is."""
    wanted = set(terms(query))
    if not wanted or not documents:
        return [0.0] * len(documents)
    lengths = [sum(document.values()) for document in documents]
    average = sum(lengths) / len(documents) or 1.0
    idf = {}
    for word in wanted:
        holding = sum(1 for document in documents if word in document)
        # Lucene's form, which stays above zero for a word in more than half the documents.
        idf[word] = math.log(1 + (len(documents) - holding + 0.5) / (holding + 0.5))
    scores = []
    for document, length in zip(documents, lengths, strict=True):
        norm = K1 * (1 - B + B * length / average)
        scores.append(
            sum(
                idf[word] * document[word] * (K1 + 1) / (document[word] + norm)
                for word in wanted
                if word in document
            )
        )
    return scores
