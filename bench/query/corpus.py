"""The synthetic corpus: random unit vectors, Zipf-skewed made-up texts, and their records."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.query.tenants import Tenant
from domain.documents.kinds import DocumentKind
from domain.documents.models import Document, DocumentStatus
from domain.retrieval.embedding import SentenceTransformerEmbedder
from domain.retrieval.vectorstores.base import VectorRecord
from domain.visibility import Visibility

DIMENSIONS = SentenceTransformerEmbedder.dimensions
CHUNKS_PER_DOCUMENT = 5
PRIVATE_SHARE = 0.2
UPSERT_BATCH = 10_000
VOCABULARY = 3_000


def vocabulary(rng: np.random.Generator, size: int = VOCABULARY) -> list[str]:
    """Pronounceable made-up words (distinct), so tokenisers treat them as ordinary terms."""
    onsets = [*"bcdfghklmnprstvz", "br", "ch", "st", "tr", "pl", "gr"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
    words: set[str] = set()
    while len(words) < size:
        syllables = int(rng.integers(2, 4))
        words.add(
            "".join(str(rng.choice(onsets)) + str(rng.choice(vowels)) for _ in range(syllables))
        )
    return sorted(words)


def word_weights(size: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Zipf-like frequencies: a few very common words, a long tail of rare ones."""
    weights = 1.0 / np.arange(1, size + 1)
    result: np.ndarray[Any, np.dtype[np.float64]] = weights / weights.sum()
    return result


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """`count` random directions, normalised to length 1 (cosine = dot product)."""
    vectors = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


@dataclass
class Corpus:
    """The synthetic chunks as numpy columns (for the brute force) and as records."""

    vectors: np.ndarray[Any, np.dtype[np.float32]]
    documents: list[uuid.UUID]
    organizations: np.ndarray[Any, np.dtype[np.int64]]
    owners: list[uuid.UUID]
    owner_codes: np.ndarray[Any, np.dtype[np.int64]]  # owners as small ints, for numpy masks
    private: np.ndarray[Any, np.dtype[np.bool_]]
    ids: list[uuid.UUID]
    texts: list[str]


def make_corpus(
    rng: np.random.Generator, chunks: int, tenants: Sequence[Tenant], words: Sequence[str]
) -> Corpus:
    """Documents of a few chunks each, round-robin over the organisations."""
    weights = word_weights(len(words))
    vectors = unit_vectors(rng, chunks)
    documents = -(-chunks // CHUNKS_PER_DOCUMENT)
    document_ids = [uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(documents)]
    organizations = np.zeros(chunks, dtype=np.int64)
    private = np.zeros(chunks, dtype=np.bool_)
    owners: list[uuid.UUID] = []
    chunk_documents: list[uuid.UUID] = []
    ids: list[uuid.UUID] = []
    texts: list[str] = []
    # Visibility and owner belong to documents: drawn once per document.
    private_documents = rng.random(documents) < PRIVATE_SHARE
    owner_picks = rng.integers(0, 2**31, size=documents)
    lengths = rng.integers(12, 40, size=chunks)
    drawn = rng.choice(len(words), size=int(lengths.sum()), p=weights)
    offset = 0
    for index in range(chunks):
        document = index // CHUNKS_PER_DOCUMENT
        tenant_index = document % len(tenants)
        tenant = tenants[tenant_index]
        people = [tenant.admin, *tenant.members]
        organizations[index] = tenant_index
        private[index] = private_documents[document]
        owners.append(people[int(owner_picks[document]) % len(people)].user_id)
        chunk_documents.append(document_ids[document])
        # Derived like real chunk ids (uuid5 of document, version and index).
        ids.append(uuid.uuid5(document_ids[document], f"1:{index % CHUNKS_PER_DOCUMENT}"))
        length = int(lengths[index])
        texts.append(" ".join(words[i] for i in drawn[offset : offset + length]) + ".")
        offset += length
    codes: dict[uuid.UUID, int] = {}
    owner_codes = np.array([codes.setdefault(owner, len(codes)) for owner in owners])
    return Corpus(vectors, chunk_documents, organizations, owners, owner_codes, private, ids, texts)


def records(corpus: Corpus, tenants: Sequence[Tenant], start: int, stop: int) -> list[VectorRecord]:
    """`VectorRecord`s for rows [start, stop)."""
    result = []
    for index in range(start, stop):
        result.append(
            VectorRecord(
                id=corpus.ids[index],
                organization_id=tenants[int(corpus.organizations[index])].admin.organization_id,
                document_id=corpus.documents[index],
                version=1,
                chunk_index=index % CHUNKS_PER_DOCUMENT,
                visibility=Visibility.PRIVATE if corpus.private[index] else Visibility.ORGANIZATION,
                owner_id=corpus.owners[index],
                text=corpus.texts[index],
                vector=corpus.vectors[index].tolist(),
            )
        )
    return result


async def add_document_rows(corpus: Corpus, tenants: Sequence[Tenant]) -> None:
    """A READY row per synthetic document: search keeps only hits whose document exists."""
    first_chunk: dict[uuid.UUID, int] = {}
    for index, document_id in enumerate(corpus.documents):
        first_chunk.setdefault(document_id, index)
    rows = [
        Document(
            id=document_id,
            organization_id=tenants[int(corpus.organizations[index])].admin.organization_id,
            uploaded_by_id=corpus.owners[index],
            title=f"Synthetic {number}",
            filename=f"synthetic-{number}.md",
            kind=DocumentKind.MARKDOWN,
            size_bytes=1,
            sha256=document_id.hex * 2,
            dedupe_scope="organization",
            visibility=Visibility.PRIVATE if corpus.private[index] else Visibility.ORGANIZATION,
            status=DocumentStatus.READY,
        )
        for number, (document_id, index) in enumerate(first_chunk.items())
    ]
    await Document.bulk_create(rows, batch_size=1000)
