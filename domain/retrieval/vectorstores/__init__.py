"""The vector-store port and its adapters: LanceDB (embedded) and Weaviate (production)."""
