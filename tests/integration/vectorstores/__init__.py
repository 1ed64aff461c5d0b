"""Contract tests every vector-store adapter passes, and adapter-specific checks."""
