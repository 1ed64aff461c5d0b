"""`beacon reembed`: an organisation moves to another embedding model while search goes on
answering from the old one, in LanceDB and in Weaviate."""

import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from domain.bootstrap import Adapters, Services, StartupFailed, build_services
from domain.documents.models import Chunk, DocumentStatus, chunk_id
from domain.errors import NotFound
from domain.identity.models import User
from domain.identity.principal import Principal
from domain.retrieval.catalogue import UnknownEmbeddingModel
from domain.retrieval.models import EmbeddingState
from domain.retrieval.reembed import Reembedder, ReembedFailed
from domain.retrieval.search import SearchMode
from domain.retrieval.vectorstores.base import VectorRecord, VectorStore
from domain.retrieval.vectorstores.weaviate_connection import connection_params, open_client
from domain.settings import Settings
from domain.visibility import Visibility
from tests.conftest import make_settings
from tests.fakes.embedders import HashEmbedder
from tests.support.databases import empty_tables
from tests.support.graphql import PASSWORD
from tests.support.rows import document_row
from tests.support.services import require_weaviate

OLD, NEW = "hash-old", "hash-new"
TEXTS = [
    "alpha harbour pilots board tankers",
    "bravo copper containers sealed",
    "charlie lighthouse lamp replaced",
    "delta ferry fleet grew",
    "echo terminal opens october",
]


class Models:
    """The two test models: the configured one, and one of another size to move to."""

    def __init__(self) -> None:
        self.old = HashEmbedder(OLD, 64)
        self.new = HashEmbedder(NEW, 96)


@pytest.fixture
def models() -> Models:
    """Fresh embedders, so each test sees only its own calls."""
    return Models()


@pytest.fixture(params=["lance", "weaviate"])
async def platform(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str, models: Models
) -> AsyncIterator[Services]:
    """Services whose configured model is `OLD`, which can also build `NEW`."""
    overrides: dict[str, Any] = {}
    prefix = f"BeaconTest{uuid.uuid4().hex}"
    if request.param == "weaviate":
        server = require_weaviate()
        overrides = {
            "vector_store": "weaviate",
            "weaviate_url": server.url,
            "weaviate_api_key": server.api_key,
            "weaviate_grpc_port": server.grpc_port,
            "weaviate_collection": prefix,
        }
    settings = make_settings(tmp_path, database_url, **overrides)
    services = build(settings, models)
    await services.start()
    await empty_tables(services.database)
    try:
        yield services
    finally:
        await services.close()
        if request.param == "weaviate":
            await drop_collections(settings, prefix)


def build(settings: Settings, models: Models) -> Services:
    """Services configured with `OLD`, able to serve `NEW`."""
    services = build_services(settings, Adapters(embedder=models.old))
    services.spaces.catalogue.add(models.new)
    return services


async def drop_collections(settings: Settings, prefix: str) -> None:
    """Delete every collection the test made (one per model)."""
    server = require_weaviate()
    params = connection_params(server.url, grpc_port=server.grpc_port)
    client = await open_client(params, server.api_key, timeout_seconds=10)
    try:
        for name in await client.collections.list_all(simple=True):
            if name.startswith(prefix):
                await client.collections.delete(name)
    finally:
        await client.close()


async def organization(services: Services) -> User:
    """A new organisation's ADMIN."""
    return await services.identity.create_organization(
        f"Org {uuid.uuid4().hex[:6]}", f"{uuid.uuid4().hex[:8]}@example.com", PASSWORD
    )


async def ready_document(services: Services, user: User, texts: list[str]) -> uuid.UUID:
    """A READY document of `texts`, its chunks in SQL and its vectors written as ingestion
    writes them (vectors of the configured model, for every model the organisation needs)."""
    document = await document_row(user, DocumentStatus.READY, chunk_count=len(texts))
    await Chunk.bulk_create(
        [
            Chunk(
                id=chunk_id(document.id, 1, index),
                document_id=document.id,
                version=1,
                index=index,
                text=text,
                start=0,
                end=len(text),
                token_count=len(text.split()),
            )
            for index, text in enumerate(texts)
        ]
    )
    embedder = services.embedder
    vectors = await embedder.embed(texts)
    records = [
        VectorRecord(
            id=chunk_id(document.id, 1, index),
            organization_id=user.organization_id,
            document_id=document.id,
            version=1,
            chunk_index=index,
            visibility=Visibility.ORGANIZATION,
            owner_id=user.id,
            text=text,
            vector=vector,
        )
        for index, (text, vector) in enumerate(zip(texts, vectors, strict=True))
    ]
    await services.spaces.write(records, embedder.name, new=True)
    return document.id


async def top_text(services: Services, user: User, query: str) -> str:
    """The text of the best dense hit."""
    results = await services.search.search(Principal.of(user), query, 1, SearchMode.DENSE)
    return results[0].text


async def store(services: Services, model: str) -> VectorStore:
    """The store of `model`'s vectors."""
    return await services.spaces.store(model)


async def test_search_answers_from_the_old_vectors_until_the_reembed_completes_then_the_new(
    platform: Services, models: Models
) -> None:
    user = await organization(platform)
    org = user.organization_id
    await ready_document(platform, user, TEXTS)
    reembed = Reembedder(platform.spaces, batch_size=2)
    models.new._fail_after = 1  # the second batch fails: a run stopped half-way

    with pytest.raises(ReembedFailed, match="run `beacon reembed` again to continue"):
        await reembed.run(org, NEW)

    models.old.embedded.clear()
    assert await top_text(platform, user, "charlie lighthouse") == TEXTS[2]
    assert models.old.embedded == ["charlie lighthouse"]  # the query, by the old model
    assert len(models.new.embedded) == 2  # the first batch, stored before the failure
    health = await platform.index_health.report(Principal.of(user))
    assert (health.embedding_model, health.dimensions, health.configured_model) == (OLD, 64, OLD)
    assert health.reembedding is not None
    assert (health.reembedding.model, health.reembedding.vector_count) == (NEW, 2)

    models.new._fail_after = None
    result = await reembed.run(org, NEW)

    # Resumed after the stored batch: only the other three chunks were embedded again.
    assert (result.source, result.target, result.switched) == (OLD, NEW, True)
    assert len(models.new.embedded) == len(TEXTS)
    models.new.embedded.clear()
    assert await top_text(platform, user, "charlie lighthouse") == TEXTS[2]
    assert models.new.embedded == ["charlie lighthouse"]
    assert await (await store(platform, NEW)).count(org) == len(TEXTS)
    assert await (await store(platform, OLD)).count(org) == 0  # the old vectors are gone
    health = await platform.index_health.report(Principal.of(user))
    assert (health.embedding_model, health.dimensions, health.reembedding) == (NEW, 96, None)
    assert health.vector_count == len(TEXTS)


async def test_a_document_written_during_a_reembed_is_in_both_models_and_found_after(
    platform: Services, models: Models
) -> None:
    user = await organization(platform)
    org = user.organization_id
    await ready_document(platform, user, TEXTS[:3])
    reembed = Reembedder(platform.spaces, batch_size=2)
    models.new._fail_after = 1
    with pytest.raises(ReembedFailed):
        await reembed.run(org, NEW)
    models.new._fail_after = None

    await ready_document(platform, user, ["foxtrot glacier survey results"])

    assert await top_text(platform, user, "foxtrot glacier") == "foxtrot glacier survey results"
    assert "foxtrot glacier survey results" in models.new.embedded  # written for NEW at once
    await reembed.run(org, NEW)
    assert await top_text(platform, user, "foxtrot glacier") == "foxtrot glacier survey results"
    assert await (await store(platform, NEW)).count(org) == 4


async def test_an_unknown_model_is_refused_and_nothing_changes(platform: Services) -> None:
    user = await organization(platform)
    await ready_document(platform, user, TEXTS[:1])

    with pytest.raises(UnknownEmbeddingModel, match="No embedding model 'no-such-model'"):
        await platform.reembedder.run(user.organization_id, "no-such-model")

    state = await EmbeddingState.get(id=user.organization_id)
    assert (state.active_model, state.target_model) == (OLD, None)


async def test_an_unknown_organisation_is_refused(platform: Services) -> None:
    with pytest.raises(NotFound):
        await platform.reembedder.organizations(uuid.uuid4())


async def test_an_organisation_without_chunks_switches_at_once(
    platform: Services, models: Models
) -> None:
    user = await organization(platform)

    result = await platform.reembedder.run(user.organization_id, NEW)

    assert (result.switched, result.embedded, result.target) == (True, 0, NEW)
    assert models.new.embedded == []
    assert (await platform.spaces.models(user.organization_id)).active == NEW
    again = await platform.reembedder.run(user.organization_id, NEW)
    assert again.switched is False


class DownStore:
    """A store whose server does not answer."""

    def __getattr__(self, name: str) -> Any:
        async def refused(*args: object, **kwargs: object) -> None:
            raise ConnectionError("connection refused")

        return refused


async def test_the_store_down_during_a_reembed_gives_a_clear_error_and_a_rerun_finishes(
    platform: Services, models: Models, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await organization(platform)
    org = user.organization_id
    await ready_document(platform, user, TEXTS)
    target = await store(platform, NEW)
    monkeypatch.setitem(platform.spaces._stores, NEW, DownStore())

    with pytest.raises(ReembedFailed, match="vector store of hash-new failed: ConnectionError"):
        await platform.reembedder.run(org, NEW)

    assert (await platform.spaces.models(org)).active == OLD  # search still reads OLD
    assert await top_text(platform, user, "echo terminal") == TEXTS[4]
    monkeypatch.setitem(platform.spaces._stores, NEW, target)
    await platform.reembedder.run(org, NEW)
    assert await top_text(platform, user, "echo terminal") == TEXTS[4]
    assert await target.count(org) == len(TEXTS)


async def test_configuring_a_model_of_another_size_keeps_old_vectors_apart_and_searchable(
    platform: Services, models: Models
) -> None:
    user = await organization(platform)
    await ready_document(platform, user, TEXTS[:2])
    # The same data, now configured with NEW (another vector size); OLD can still be built.
    switched = build_services(platform.settings, Adapters(embedder=models.new))
    switched.spaces.catalogue.add(models.old)
    await switched.start(process_wide=False)
    try:
        assert await top_text(switched, user, "bravo copper") == TEXTS[1]
        # A new document of the old organisation gets OLD vectors; a new organisation, NEW.
        await ready_document(switched, user, ["golf course opens"])
        newcomer = await organization(switched)
        await ready_document(switched, newcomer, ["hotel rooms renovated"])
        assert await (await store(switched, OLD)).count(user.organization_id) == 3
        assert await (await store(switched, NEW)).count(user.organization_id) == 0
        assert await (await store(switched, NEW)).count(newcomer.organization_id) == 1
        assert await top_text(switched, newcomer, "hotel rooms") == "hotel rooms renovated"
        health = await switched.index_health.report(Principal.of(user))
        assert (health.embedding_model, health.configured_model) == (OLD, NEW)
    finally:
        await switched.close()


async def test_start_up_refuses_vectors_of_a_model_it_cannot_build(
    platform: Services, models: Models
) -> None:
    user = await organization(platform)
    await EmbeddingState.create(
        id=user.organization_id, organization_id=user.organization_id, active_model="gone-model"
    )
    again = build(platform.settings, models)

    try:
        with pytest.raises(
            StartupFailed,
            match=r"1 organisation\(s\) have vectors of the embedding model 'gone-model'",
        ):
            await again.start(process_wide=False)
    finally:
        await again.close()
        await EmbeddingState.filter(id=user.organization_id).delete()


async def test_start_up_serves_another_buildable_model_and_says_reembed_is_needed(
    platform: Services, models: Models, caplog: pytest.LogCaptureFixture
) -> None:
    user = await organization(platform)
    await EmbeddingState.create(
        id=user.organization_id, organization_id=user.organization_id, active_model=NEW
    )
    again = build(platform.settings, models)

    try:
        with caplog.at_level(logging.WARNING, logger="beacon.startup"):
            await again.start(process_wide=False)
    finally:
        await again.close()
        await EmbeddingState.filter(id=user.organization_id).delete()

    assert "1 organisation(s) search vectors of hash-new" in caplog.text
    assert "run `beacon reembed`" in caplog.text
