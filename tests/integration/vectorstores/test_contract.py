"""What every vector store promises: run against LanceDB and the in-memory fake always,
Weaviate when configured."""

import asyncio
import uuid

import pytest

from domain.retrieval.vectorstores.base import (
    ENGLISH_STOP_WORDS,
    VectorStore,
)
from domain.visibility import Visibility
from tests.integration.vectorstores.factories import (
    AS_ADMIN,
    AS_COLLEAGUE,
    AS_OTHER_ORG_ADMIN,
    AS_OWNER,
    COLLEAGUE,
    DIMENSIONS,
    ORG,
    OTHER_ORG,
    axis,
    record,
    toward,
)


def doc() -> uuid.UUID:
    """A fresh document id."""
    return uuid.uuid4()


async def test_upsert_then_search_vector_finds_the_record_with_score_one_for_its_own_vector(
    store: VectorStore,
) -> None:
    document_id = doc()
    stored = record(
        document_id,
        2,
        version=3,
        text="Beacon answers questions",
        vector=[0.5, -1.0, 2.0, 0.0, 1.5, 0.25, -0.75, 3.0],
        page=7,
        heading_path=["Guide", "Setup"],
    )
    await store.upsert([stored, record(document_id, 0, version=3, vector=axis(0))])

    hits = await store.search_vector(stored.vector, AS_OWNER, limit=1)

    assert len(hits) == 1
    hit = hits[0]
    assert hit.id == stored.id
    assert hit.score == pytest.approx(1.0, abs=1e-4)
    assert (hit.document_id, hit.version, hit.chunk_index) == (document_id, 3, 2)
    assert (hit.text, hit.page, hit.heading_path) == (
        "Beacon answers questions",
        7,
        ["Guide", "Setup"],
    )


async def test_a_record_without_page_or_headings_comes_back_with_none_and_an_empty_path(
    store: VectorStore,
) -> None:
    await store.upsert([record(doc(), vector=axis(1))])

    [hit] = await store.search_vector(axis(1), AS_OWNER, limit=5)

    assert hit.page is None
    assert hit.heading_path == []


async def test_upserting_the_same_records_twice_keeps_one_copy(store: VectorStore) -> None:
    document_id = doc()
    records = [record(document_id, i) for i in range(4)]

    await store.upsert(records)
    await store.upsert(records)

    assert await store.count(ORG, document_id) == 4
    hits = await store.search_vector(axis(0), AS_OWNER, limit=10)
    assert sorted(hit.chunk_index for hit in hits) == [0, 1, 2, 3]


async def test_upserting_a_record_again_replaces_its_text_and_vector(store: VectorStore) -> None:
    document_id = doc()
    await store.upsert([record(document_id, text="obsolete wording", vector=axis(0))])

    await store.upsert([record(document_id, text="revised phrasing", vector=axis(3))])

    assert await store.count(ORG, document_id) == 1
    assert await store.search_text("obsolete", AS_OWNER, limit=5) == []
    [hit] = await store.search_text("revised", AS_OWNER, limit=5)
    assert hit.text == "revised phrasing"
    [nearest] = await store.search_vector(axis(3), AS_OWNER, limit=1)
    assert nearest.score == pytest.approx(1.0, abs=1e-4)


async def test_ten_concurrent_upserts_of_the_same_records_keep_one_copy(
    store: VectorStore,
) -> None:
    document_id = doc()
    records = [record(document_id, i) for i in range(5)]

    await asyncio.gather(*(store.upsert(records) for _ in range(10)))

    assert await store.count(ORG, document_id) == 5


async def test_twenty_concurrent_upserts_of_different_documents_all_land(
    store: VectorStore,
) -> None:
    documents = [doc() for _ in range(20)]

    await asyncio.gather(*(store.upsert([record(d, i) for i in range(5)]) for d in documents))

    assert [await store.count(ORG, d) for d in documents] == [5] * 20
    assert await store.document_ids(ORG) == {d: {1} for d in documents}


async def test_added_records_are_found_like_upserted_ones(store: VectorStore) -> None:
    document_id = doc()
    added = record(document_id, 0, text="appended wren", vector=axis(2))

    await store.add([added, record(document_id, 1)])

    assert await store.count(ORG, document_id) == 2
    assert [hit.id for hit in await store.search_vector(axis(2), AS_OWNER, limit=1)] == [added.id]
    assert [hit.id for hit in await store.search_text("wren", AS_OWNER, limit=1)] == [added.id]


async def test_concurrent_adds_and_upserts_all_land_once(store: VectorStore) -> None:
    documents = [doc() for _ in range(10)]
    upserted = [record(documents[0], i) for i in range(3)]
    await store.add(upserted)

    await asyncio.gather(
        store.upsert(upserted),  # a retry of a write that landed: replaces, never adds
        *(store.add([record(d, i) for i in range(3)]) for d in documents[1:]),
    )

    assert [await store.count(ORG, d) for d in documents] == [3] * 10


async def test_a_private_record_is_visible_to_its_owner_and_admins_but_not_to_other_users(
    store: VectorStore,
) -> None:
    private, shared = doc(), doc()
    await store.upsert(
        [
            record(
                private, visibility=Visibility.PRIVATE, text="salary review notes", vector=axis(0)
            ),
            record(
                shared,
                visibility=Visibility.ORGANIZATION,
                text="salary bands overview",
                vector=axis(0),
            ),
        ]
    )

    for access in (AS_OWNER, AS_ADMIN):
        assert {h.document_id for h in await store.search_vector(axis(0), access, 10)} == {
            private,
            shared,
        }
        assert {h.document_id for h in await store.search_text("salary", access, 10)} == {
            private,
            shared,
        }
    assert [h.document_id for h in await store.search_vector(axis(0), AS_COLLEAGUE, 10)] == [shared]
    assert [h.document_id for h in await store.search_text("salary", AS_COLLEAGUE, 10)] == [shared]


async def test_a_colleagues_own_private_record_is_visible_to_that_colleague(
    store: VectorStore,
) -> None:
    theirs = doc()
    await store.upsert(
        [record(theirs, owner_id=COLLEAGUE, visibility=Visibility.PRIVATE, text="my draft")]
    )

    assert [h.document_id for h in await store.search_text("draft", AS_COLLEAGUE, 5)] == [theirs]
    assert await store.search_text("draft", AS_OWNER, 5) == []


async def test_another_organisations_records_never_come_back(store: VectorStore) -> None:
    ours, theirs = doc(), doc()
    await store.upsert(
        [
            record(ours, text="roadmap for next year", vector=axis(0)),
            record(theirs, organization_id=OTHER_ORG, text="roadmap for next year", vector=axis(0)),
        ]
    )

    for access in (AS_OWNER, AS_ADMIN):
        assert [h.document_id for h in await store.search_vector(axis(0), access, 10)] == [ours]
        assert [h.document_id for h in await store.search_text("roadmap", access, 10)] == [ours]
    assert [h.document_id for h in await store.search_text("roadmap", AS_OTHER_ORG_ADMIN, 10)] == [
        theirs
    ]


async def test_an_organisation_with_nothing_stored_finds_nothing(store: VectorStore) -> None:
    await store.upsert([record(doc())])

    assert await store.search_vector(axis(0), AS_OTHER_ORG_ADMIN, 5) == []
    assert await store.search_text("chunk", AS_OTHER_ORG_ADMIN, 5) == []
    assert await store.document_ids(OTHER_ORG) == {}
    assert await store.count(OTHER_ORG, doc()) == 0


async def _thirty_forbidden_records_nearer_than_five_allowed(store: VectorStore) -> set[uuid.UUID]:
    """Stores 15 private records of another user and 15 of another organisation, all nearer to
    axis 0 and denser in "quarterly revenue" than the 5 records the colleague may see."""
    forbidden = [
        record(
            doc(),
            visibility=Visibility.PRIVATE,
            text="quarterly revenue: quarterly revenue forecast",
            vector=toward(0, 1, 0.01 * k),
        )
        for k in range(15)
    ] + [
        record(
            doc(),
            organization_id=OTHER_ORG,
            text="quarterly revenue: quarterly revenue forecast",
            vector=toward(0, 1, 0.01 * k),
        )
        for k in range(15)
    ]
    allowed = [
        record(
            doc(),
            owner_id=COLLEAGUE if j % 2 else ORG,
            visibility=Visibility.PRIVATE if j % 2 else Visibility.ORGANIZATION,
            text="minutes of a long meeting about parking, lunch and, once, quarterly revenue",
            vector=toward(0, 2, 1.0 + 0.05 * j),
        )
        for j in range(5)
    ]
    await store.upsert(forbidden + allowed)
    return {r.document_id for r in allowed}


async def test_search_vector_returns_k_allowed_records_even_when_forbidden_ones_are_nearer(
    store: VectorStore,
) -> None:
    allowed = await _thirty_forbidden_records_nearer_than_five_allowed(store)

    hits = await store.search_vector(axis(0), AS_COLLEAGUE, limit=5)

    assert {hit.document_id for hit in hits} == allowed


async def test_search_text_returns_k_allowed_records_even_when_forbidden_ones_match_better(
    store: VectorStore,
) -> None:
    allowed = await _thirty_forbidden_records_nearer_than_five_allowed(store)

    hits = await store.search_text("quarterly revenue", AS_COLLEAGUE, limit=5)

    assert {hit.document_id for hit in hits} == allowed


async def test_search_text_ranks_a_record_containing_the_query_words_first(
    store: VectorStore,
) -> None:
    graphql = doc()
    await store.upsert(
        [
            record(doc(), text="Invoices are paid at the end of every month."),
            record(graphql, text="GraphQL subscriptions stream answers over websockets."),
            record(doc(), text="The cafeteria menu changes weekly; subscriptions to it are free."),
            record(doc(), text="Parking permits are renewed in January."),
        ]
    )

    hits = await store.search_text("graphql subscriptions", AS_OWNER, limit=3)

    assert hits[0].document_id == graphql
    assert hits[0].score > 0


async def test_search_text_finds_records_right_after_each_upsert(store: VectorStore) -> None:
    for word in ("aardvark", "bison", "chinchilla", "dromedary"):
        document_id = doc()
        await store.upsert([record(document_id, text=f"field notes on the {word}")])

        assert [h.document_id for h in await store.search_text(word, AS_OWNER, 5)] == [document_id]


async def test_search_text_ignores_case_and_accents(store: VectorStore) -> None:
    cafe, plain = doc(), doc()
    await store.upsert(
        [
            record(cafe, text="Meet at the Café Zoë on Über Straße"),
            record(plain, text="a naive facade"),
        ]
    )

    for query in ("cafe", "CAFÉ", "zoe", "ZOË", "uber"):
        assert [h.document_id for h in await store.search_text(query, AS_OWNER, 5)] == [cafe]
    for query in ("naïve", "FAÇADE"):
        assert [h.document_id for h in await store.search_text(query, AS_OWNER, 5)] == [plain]


async def test_a_query_made_only_of_stop_words_finds_nothing(store: VectorStore) -> None:
    await store.upsert([record(doc(), text="It is what it is, and that is the point of it.")])

    for query in ("it", "IT", "the", "is it", "and that is the"):
        assert await store.search_text(query, AS_OWNER, 5) == [], query


async def test_stop_words_in_a_query_add_nothing_to_the_ranking(store: VectorStore) -> None:
    wordy, lighthouse = doc(), doc()
    await store.upsert(
        [
            record(wordy, text="it is the one that is in it, and it is not the one with it"),
            record(lighthouse, text="lighthouse keeper logbook"),
        ]
    )

    hits = await store.search_text("it is the lighthouse", AS_OWNER, 5)

    assert [hit.document_id for hit in hits] == [lighthouse]


async def test_every_store_ignores_exactly_the_same_stop_words(store: VectorStore) -> None:
    # Words other stop lists drop (LanceDB's default among them), which Beacon searches.
    searched = ("you", "what", "should", "we", "about", "how", "when", "who")
    records = {
        word: record(doc(), index=i, text=f"marker{i} {word}")
        for i, word in enumerate(ENGLISH_STOP_WORDS + searched)
    }
    await store.upsert(list(records.values()))

    found = {word for word in records if await store.search_text(word, AS_OWNER, len(records))}

    assert found == set(searched)


async def test_short_words_that_are_not_stop_words_are_searched(store: VectorStore) -> None:
    words = {word: doc() for word in ("AI", "Go", "C", "42")}
    await store.upsert(
        [record(document_id, text=f"notes on {word}") for word, document_id in words.items()]
    )

    for word, document_id in words.items():
        assert [h.document_id for h in await store.search_text(word, AS_OWNER, 5)] == [
            document_id
        ], word


async def test_search_vector_scores_are_best_first(store: VectorStore) -> None:
    documents = [doc() for _ in range(6)]
    # Stored in scrambled order, at growing angles from axis 0.
    for k in (3, 0, 5, 1, 4, 2):
        await store.upsert([record(documents[k], vector=toward(0, 1, 0.25 * k))])

    hits = await store.search_vector(axis(0), AS_OWNER, limit=6)

    assert [hit.document_id for hit in hits] == documents
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 6


async def test_search_text_scores_are_best_first(store: VectorStore) -> None:
    await store.upsert(
        [
            record(doc(), text="lighthouse " * n + "keeper logbook entry with more filler words")
            for n in (1, 4, 2, 3)
        ]
    )

    hits = await store.search_text("lighthouse", AS_OWNER, limit=10)

    scores = [hit.score for hit in hits]
    assert len(hits) == 4
    assert scores == sorted(scores, reverse=True)
    assert [hit.text.count("lighthouse") for hit in hits] == [4, 3, 2, 1]


async def test_search_respects_the_limit(store: VectorStore) -> None:
    await store.upsert([record(doc(), text="repeated topic", vector=axis(i)) for i in range(8)])

    assert len(await store.search_vector(axis(0), AS_OWNER, limit=3)) == 3
    assert len(await store.search_text("topic", AS_OWNER, limit=3)) == 3


async def test_a_blank_or_hostile_text_query_finds_nothing_and_harms_nothing(
    store: VectorStore,
) -> None:
    document_id = doc()
    await store.upsert([record(document_id, text="ordinary words")])

    assert await store.search_text("   ", AS_OWNER, 5) == []
    assert await store.search_text("'; DELETE FROM chunks; --", AS_OWNER, 5) == []
    assert await store.search_text('" OR 1=1 (unbalanced', AS_OWNER, 5) == []
    assert await store.count(ORG, document_id) == 1


async def test_vectors_of_the_wrong_size_are_refused(store: VectorStore) -> None:
    with pytest.raises(ValueError, match="dimensions"):
        await store.upsert([record(doc(), vector=[1.0, 0.0, 0.0])])
    with pytest.raises(ValueError, match="dimensions"):
        await store.search_vector([1.0] * (DIMENSIONS + 1), AS_OWNER, 5)


async def test_delete_document_removes_all_its_records_and_nothing_else(
    store: VectorStore,
) -> None:
    doomed, kept, foreign = doc(), doc(), doc()
    await store.upsert(
        [record(doomed, i) for i in range(3)]
        + [record(doomed, i, version=2) for i in range(2)]
        + [record(kept, i) for i in range(2)]
        + [record(foreign, organization_id=OTHER_ORG)]
    )

    await store.delete_document(ORG, doomed)
    # Deleting under the wrong organisation touches nothing.
    await store.delete_document(ORG, foreign)

    assert await store.count(ORG, doomed) == 0
    assert await store.count(ORG, kept) == 2
    assert await store.count(OTHER_ORG, foreign) == 1
    assert doomed not in await store.document_ids(ORG)
    assert all(
        hit.document_id != doomed for hit in await store.search_vector(axis(0), AS_ADMIN, 10)
    )


async def test_delete_document_with_keep_version_removes_only_the_other_versions(
    store: VectorStore,
) -> None:
    document_id = doc()
    await store.upsert(
        [record(document_id, i, version=1) for i in range(3)]
        + [record(document_id, i, version=2) for i in range(2)]
        + [record(document_id, i, version=3) for i in range(4)]
    )

    await store.delete_document(ORG, document_id, keep_version=2)

    assert await store.count(ORG, document_id) == 2
    assert await store.document_ids(ORG) == {document_id: {2}}


async def test_deleting_an_unknown_document_is_a_no_op(store: VectorStore) -> None:
    await store.upsert([record(doc())])

    await store.delete_document(ORG, doc())
    await store.delete_document(OTHER_ORG, doc())

    assert len(await store.document_ids(ORG)) == 1


async def test_document_ids_lists_documents_with_their_versions_per_organisation(
    store: VectorStore,
) -> None:
    first, second, foreign = doc(), doc(), doc()
    await store.upsert(
        [record(first, i, version=1) for i in range(3)]
        + [record(first, i, version=2) for i in range(3)]
        + [record(second, 0, version=5)]
        + [record(foreign, 0, organization_id=OTHER_ORG)]
    )

    assert await store.document_ids(ORG) == {first: {1, 2}, second: {5}}
    assert await store.document_ids(OTHER_ORG) == {foreign: {1}}


async def test_without_a_document_count_covers_the_whole_organisation_and_no_other(
    store: VectorStore,
) -> None:
    first, second = doc(), doc()
    await store.upsert([record(first, i) for i in range(3)] + [record(second, i) for i in range(2)])
    await store.upsert([record(doc(), 0, organization_id=OTHER_ORG)])

    assert await store.count(ORG) == 5
    assert await store.count(ORG, second) == 2


async def test_a_started_store_is_ready_and_a_closed_one_says_it_is_not(
    store: VectorStore,
) -> None:
    assert await store.ready()
    await store.close()
    assert not await store.ready()
    await store.start()  # as the fixture left it
    assert await store.ready()


async def test_a_batch_with_one_vector_of_another_model_size_stores_nothing(
    store: VectorStore,
) -> None:
    document_id = doc()
    mixed = [record(document_id, 0), record(document_id, 1, vector=[1.0] * (DIMENSIONS * 2))]

    with pytest.raises(ValueError, match="dimensions"):
        await store.upsert(mixed)
    with pytest.raises(ValueError, match="dimensions"):
        await store.add(mixed)

    assert await store.count(ORG) == 0


async def test_delete_organization_removes_its_records_and_no_one_elses(
    store: VectorStore,
) -> None:
    kept = record(doc(), organization_id=OTHER_ORG, vector=axis(2))
    await store.upsert([record(doc(), i) for i in range(3)] + [kept])

    await store.delete_organization(ORG)

    assert await store.count(ORG) == 0
    assert await store.search_vector(axis(0), AS_ADMIN, 5) == []
    assert [hit.id for hit in await store.search_vector(axis(2), AS_OTHER_ORG_ADMIN, 5)] == [
        kept.id
    ]
    # The organisation can store again afterwards (its tenant is created anew in Weaviate).
    again = record(doc(), vector=axis(3))
    await store.upsert([again])
    assert [hit.id for hit in await store.search_vector(axis(3), AS_ADMIN, 5)] == [again.id]


async def test_deleting_an_organisation_without_records_is_a_no_op(store: VectorStore) -> None:
    await store.delete_organization(uuid.uuid4())

    assert await store.count(ORG) == 0
