"""The retrieval adapters as the settings choose them: the embedder, the catalogue of models
whose vectors Beacon can serve, a vector store per model, and the hybrid's fusion."""

import functools
from pathlib import Path

from domain.retrieval.catalogue import EmbedderCatalogue
from domain.retrieval.embedder_process import EmbedderProcess
from domain.retrieval.embedding import BatchingEmbedder, Embedder, SentenceTransformerEmbedder
from domain.retrieval.fusion import DEFAULT_TEXT_WEIGHT, Fusion, FusionMethod
from domain.retrieval.models import ORIGINAL_MODEL
from domain.retrieval.spaces import space_name
from domain.retrieval.vectorstores.base import VectorStore
from domain.settings import Settings


def build_embedder(settings: Settings) -> EmbedderProcess:
    """The embedding backend BEACON_EMBEDDER names, run in a process of its own (see
    `embedder_process`); nothing starts until its first use."""
    return EmbedderProcess(
        functools.partial(
            build_backend,
            settings.embedder,
            settings.embedder_cache_dir,
            settings.embedding_batch_size,
        )
    )


def build_backend(embedder: str, cache_dir: Path | None, batch_size: int) -> BatchingEmbedder:
    """The backend itself, as BEACON_EMBEDDER, BEACON_EMBEDDER_CACHE_DIR and
    BEACON_EMBEDDING_BATCH_SIZE name it, in this process."""
    if embedder == "torch":
        return SentenceTransformerEmbedder(batch_size=batch_size)
    from domain.retrieval.onnx_embedding import OnnxEmbedder

    return OnnxEmbedder(
        "fp32" if embedder == "onnx-fp32" else "int8", cache_dir=cache_dir, batch_size=batch_size
    )


def build_vector_store(
    settings: Settings,
    model: str = ORIGINAL_MODEL,
    dimensions: int = SentenceTransformerEmbedder.dimensions,
) -> VectorStore:
    """The store of one embedding model's vectors: a table in LanceDB under the data
    directory, or a collection in Weaviate in production (see `space_name`)."""
    if settings.vector_store == "weaviate":
        from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore

        if not settings.weaviate_url:
            raise ValueError("BEACON_WEAVIATE_URL is required with BEACON_VECTOR_STORE=weaviate")
        key = settings.weaviate_api_key.get_secret_value() if settings.weaviate_api_key else None
        return WeaviateVectorStore(
            settings.weaviate_url,
            key,
            dimensions,
            collection=space_name(settings.weaviate_collection, model, separator="_"),
            timeout_seconds=settings.vector_store_timeout_seconds,
            grpc_host=settings.weaviate_grpc_host,
            grpc_port=settings.weaviate_grpc_port,
            grpc_secure=settings.weaviate_grpc_secure,
        )
    from domain.retrieval.vectorstores.lance import LanceVectorStore
    from domain.retrieval.vectorstores.lance_table import TABLE_NAME

    return LanceVectorStore(
        settings.data_dir / "vectors",
        dimensions,
        exact_search_max_rows=settings.exact_search_max_rows,
        table=space_name(TABLE_NAME, model),
    )


def build_catalogue(settings: Settings, configured: Embedder) -> EmbedderCatalogue:
    """The configured embedder, and every other model whose vectors Beacon can serve (each
    loaded only when an organisation's vectors need it)."""
    catalogue = EmbedderCatalogue(configured)
    # onnx-fp32 computes torch's vectors, under its name.
    for backend in ("torch", "onnx"):
        catalogue.add(build_embedder(settings.model_copy(update={"embedder": backend})))
    return catalogue


def search_fusion(settings: Settings) -> Fusion:
    """The hybrid's fusion from `BEACON_SEARCH_*`; an unset text weight is the method's."""
    method = FusionMethod(settings.search_fusion)
    text_weight = settings.search_text_weight
    return Fusion(
        method=method,
        k=settings.search_rrf_k,
        dense_weight=settings.search_dense_weight,
        text_weight=DEFAULT_TEXT_WEIGHT[method] if text_weight is None else text_weight,
        candidates=settings.search_candidates,
    )
