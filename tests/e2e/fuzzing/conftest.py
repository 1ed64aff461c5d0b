"""The fuzzer's world runs the document pipeline: it reuses that pipeline's session fixtures."""

from tests.e2e.documents.conftest import embedder, extractor

__all__ = ["embedder", "extractor"]
