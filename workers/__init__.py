"""Dramatiq workers: thin, idempotent actors over the domain services."""
