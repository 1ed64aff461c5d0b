"""Retrieval: embeddings, vector stores and access-controlled search."""
