"""Fakes of Beacon's ports, for tests only: production never wires one.

Each fake keeps its port's promises (the vector and file stores pass the same contract suites
as the real adapters, in tests/integration) while holding everything in memory, so tests of a
service need neither a model, a parser nor a server. None imports torch, docling,
sentence-transformers or lancedb.
"""
