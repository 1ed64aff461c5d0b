"""Where uploaded files live: the `FileStore` port and its adapters (local directory, S3)."""
