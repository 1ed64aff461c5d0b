"""The Weaviate collection Beacon writes to: how it is created, and what an existing one must be.

Design notes (why, not what):

- One multi-tenant collection, one tenant per organisation; vectors are self-provided in a
  named vector compared by cosine distance. The vector's name is a parameter: a re-embedding
  with another model will add a named vector per model, so other named vectors in the
  collection are fine, and only the one this store reads and writes is checked.
- An existing collection is checked once at start-up, and anything Beacon cannot serve (no
  multi-tenancy, no such named vector, another distance or size, missing or differently
  indexed properties) stops start-up with one line naming it: the alternative is searches
  that fail, or silently rank wrong, on every request.
- Lexical settings that only change what text search finds (accent folding, stop words,
  tokenization) are logged as warnings instead: Beacon still works, and accent folding and
  tokenization cannot be changed on an existing property.
- Weaviate 1.38 does not report a self-provided vector's dimensions in the schema (the HNSW
  index takes its size from the first vector stored), so unless a vectorizer reports them,
  they are read from one stored object; a collection with no objects yet has no size to check.
"""

import logging
from dataclasses import dataclass

from weaviate import WeaviateAsyncClient
from weaviate.classes.config import (
    Configure,
    DataType,
    Property,
    StopwordsPreset,
    Tokenization,
    VectorDistances,
)
from weaviate.classes.tenants import TenantActivityStatus
from weaviate.collections.classes.config import CollectionConfig, PropertyConfig
from weaviate.exceptions import WeaviateBaseError

from domain.retrieval.vectorstores.weaviate_connection import WeaviateStartError

log = logging.getLogger("beacon.vectors")

VECTOR_NAME = "chunk"
# Tenants read while looking for a stored vector: almost every tenant holds objects (tenants
# are created by a write), so the first one nearly always answers.
DIMENSION_SAMPLE_TENANTS = 10


class WeaviateSchemaMismatch(WeaviateStartError):
    """The existing collection is set up in a way Beacon cannot serve; one line says how."""


@dataclass(frozen=True)
class _Field:
    name: str
    data_type: DataType
    role: str  # "keyword" (exact-match filters), "stored" (returned only) or "searchable" (BM25)


_FIELDS = (
    _Field("organization_id", DataType.TEXT, "keyword"),
    _Field("document_id", DataType.TEXT, "keyword"),
    _Field("owner_id", DataType.TEXT, "keyword"),
    _Field("visibility", DataType.TEXT, "keyword"),
    _Field("version", DataType.INT, "keyword"),
    _Field("chunk_index", DataType.INT, "keyword"),
    _Field("page", DataType.INT, "stored"),
    _Field("heading_path", DataType.TEXT_ARRAY, "stored"),
    _Field("text", DataType.TEXT, "searchable"),
)


def _property(field: _Field) -> Property:
    if field.role == "searchable":
        # WORD tokenization lowercases; accents are folded and the collection's "en" stop
        # words ignored, as base.py promises for every store.
        return Property(
            name=field.name,
            data_type=field.data_type,
            tokenization=Tokenization.WORD,
            text_analyzer=Configure.text_analyzer(ascii_fold=True),
            index_filterable=False,
            index_searchable=True,
            skip_vectorization=True,
        )
    keyword = field.role == "keyword"
    return Property(
        name=field.name,
        data_type=field.data_type,
        # FIELD tokenization keeps the whole value as one token: equality on an id must match
        # the full id, not any of its dash-separated words.
        tokenization=Tokenization.FIELD if keyword and field.data_type == DataType.TEXT else None,
        index_filterable=keyword,
        index_searchable=False,
        skip_vectorization=True,
    )


PROPERTIES = [_property(field) for field in _FIELDS]


async def prepare_collection(
    client: WeaviateAsyncClient, name: str, vector_name: str, dimensions: int
) -> None:
    """Create the collection if missing; otherwise check that Beacon can serve it."""
    if not await client.collections.exists(name) and await create_collection(
        client, name, vector_name
    ):
        return
    collection = client.collections.use(name)
    config = await collection.config.get()
    problem = config_problem(config, vector_name, dimensions)
    if problem is None:
        # The schema holds no size for a self-provided vector: ask a stored one (see above).
        stored = await stored_dimensions(client, name, vector_name)
        if stored is not None and stored != dimensions:
            problem = _size_problem(vector_name, stored, dimensions)
    if problem is not None:
        raise WeaviateSchemaMismatch(f"Weaviate collection {name}: {problem}")
    for warning in lexical_warnings(config):
        log.warning("Weaviate collection %s: %s", name, warning)


async def create_collection(client: WeaviateAsyncClient, name: str, vector_name: str) -> bool:
    """Create the collection; False if another process created it first."""
    try:
        await client.collections.create(
            name,
            description="Beacon document chunks; one tenant per organisation.",
            properties=PROPERTIES,
            vector_config=Configure.Vectors.self_provided(
                name=vector_name,
                vector_index_config=Configure.VectorIndex.hnsw(
                    distance_metric=VectorDistances.COSINE
                ),
            ),
            inverted_index_config=Configure.inverted_index(stopwords_preset=StopwordsPreset.EN),
            multi_tenancy_config=Configure.multi_tenancy(
                enabled=True, auto_tenant_creation=True, auto_tenant_activation=True
            ),
        )
    except WeaviateBaseError:
        # Another process may have created it between our check and our create.
        if not await client.collections.exists(name):
            raise
        return False
    return True


def config_problem(config: CollectionConfig, vector_name: str, dimensions: int) -> str | None:
    """What in the collection's schema Beacon cannot serve, in a few words; None if nothing."""
    if not config.multi_tenancy_config.enabled:
        return "multi-tenancy is off; Beacon keeps one tenant per organisation"
    vectors = config.vector_config or {}
    named = vectors.get(vector_name)
    if named is None:
        if vectors:
            others = ", ".join(repr(other) for other in sorted(vectors))
        else:
            others = "a single unnamed vector" if config.vector_index_config else "no vectors"
        return f"no named vector {vector_name!r} (it has {others})"
    index = named.vector_index_config
    # Only flat, HNSW and HFresh indexes have this attribute; a dynamic one cannot be multi.
    if getattr(index, "multi_vector", None) is not None:
        return f"named vector {vector_name!r} holds multi-vectors; Beacon stores one per chunk"
    if index.distance_metric != VectorDistances.COSINE:
        return (
            f"named vector {vector_name!r} uses {index.distance_metric.value} distance, "
            "Beacon's scores need cosine"
        )
    reported = named.vectorizer.model.get("dimensions")
    if isinstance(reported, int) and reported != dimensions:
        return _size_problem(vector_name, reported, dimensions)
    found = {prop.name: prop for prop in config.properties}
    for field in _FIELDS:
        problem = _property_problem(field, found.get(field.name))
        if problem is not None:
            return problem
    return None


def _property_problem(field: _Field, prop: PropertyConfig | None) -> str | None:
    if prop is None:
        return f"no property {field.name!r}"
    if prop.data_type != field.data_type:
        return (
            f"property {field.name!r} is {prop.data_type.value}, "
            f"Beacon stores {field.data_type.value}"
        )
    if field.role == "keyword":
        if not prop.index_filterable:
            return f"property {field.name!r} is not filterable; Beacon filters on it"
        if field.data_type == DataType.TEXT and prop.tokenization != Tokenization.FIELD:
            tokenization = prop.tokenization.value if prop.tokenization else None
            return (
                f"property {field.name!r} is tokenized by {tokenization}; "
                "Beacon's filters need whole-value (field) matches"
            )
    if field.role == "searchable" and not prop.index_searchable:
        return f"property {field.name!r} is not searchable; Beacon's text search needs it"
    return None


def _size_problem(vector_name: str, stored: int, dimensions: int) -> str:
    return (
        f"named vector {vector_name!r} has {stored} dimensions, "
        f"Beacon's embedder makes {dimensions}"
    )


def lexical_warnings(config: CollectionConfig) -> list[str]:
    """Settings under which text search keeps less of base.py's promise (Beacon still works)."""
    warnings: list[str] = []
    text = next((prop for prop in config.properties if prop.name == "text"), None)
    if text is not None:
        if text.tokenization != Tokenization.WORD:
            warnings.append("property 'text' is not tokenized by word; text search may miss words")
        analyzer = text.text_analyzer
        if analyzer is None or not analyzer.ascii_fold:
            warnings.append(
                "property 'text' does not fold accents (made before Beacon did): 'cafe' "
                "will not find 'café' until the collection is re-created and reindexed"
            )
        if analyzer is not None and analyzer.stopword_preset is not None:
            warnings.append(f"property 'text' uses stop words {analyzer.stopword_preset!r}")
    stopwords = config.inverted_index_config.stopwords
    if stopwords.preset != StopwordsPreset.EN or stopwords.additions or stopwords.removals:
        warnings.append("stop words are not the 'en' preset, which Beacon promises to ignore")
    return warnings


async def stored_dimensions(client: WeaviateAsyncClient, name: str, vector_name: str) -> int | None:
    """The size of one stored `vector_name` vector, from the first active tenants; None if none.

    Only active tenants are read: reading an offloaded one would load it back.
    """
    collection = client.collections.use(name)
    tenants = await collection.tenants.get()
    active = [
        tenant
        for tenant, status in tenants.items()
        if status.activity_status == TenantActivityStatus.ACTIVE
    ]
    for tenant in active[:DIMENSION_SAMPLE_TENANTS]:
        page = await collection.with_tenant(tenant).query.fetch_objects(
            limit=1, include_vector=[vector_name], return_properties=[]
        )
        for item in page.objects:
            vector = item.vector.get(vector_name)
            if vector:
                return len(vector)
    return None
