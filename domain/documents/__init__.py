"""Documents: upload, the ingestion lifecycle, parsing and chunking."""
