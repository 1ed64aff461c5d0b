"""The assistant's tests reuse the document pipeline's fixtures."""

from tests.e2e.documents.conftest import embedder, extractor, pipeline_settings, platform

__all__ = ["embedder", "extractor", "pipeline_settings", "platform"]
