"""Thin, idempotent actors that take ids; the domain services do the work."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import dramatiq

from domain.bootstrap import Services
from domain.documents.ingestion import LeaseHeld
from domain.settings import Settings
from domain.tracing import carrier, continued, tracer
from workers.batching import IngestBatcher

QUEUE = "documents"


@dataclass(frozen=True)
class Actors:
    """The actors declared on one broker."""

    ingest_document: dramatiq.Actor  # type: ignore[type-arg]
    purge_document: dramatiq.Actor  # type: ignore[type-arg]


def declare_actors(
    broker: dramatiq.Broker, settings: Settings, services: Callable[[], Services]
) -> Actors:
    """Declare the actors on `broker`; `services` returns the worker's services when they run."""

    async def ingest_many(document_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Exception | None]:
        current = services()
        with current.database.activate(), tracer.start_as_current_span("ingest_documents") as span:
            span.set_attribute("beacon.documents", len(document_ids))
            return await current.ingestion.ingest_many(document_ids)

    # Made on the worker's event loop by the first message: every message of this process
    # runs on that one loop, and its batches with them.
    batchers: list[IngestBatcher] = []

    async def ingest_document(document_id: str, trace: dict[str, str] | None = None) -> None:
        if not batchers:
            batchers.append(
                IngestBatcher(
                    ingest_many,
                    size=settings.ingest_batch_size,
                    in_flight=max(2, settings.worker_threads // settings.ingest_batch_size),
                )
            )
        with continued("ingest_document", trace) as span:
            span.set_attribute("beacon.document_id", document_id)
            await batchers[0].ingest(uuid.UUID(document_id))

    async def purge_document(document_id: str, organization_id: str, storage_key: str) -> None:
        current = services()
        with current.database.activate():
            await current.ingestion.purge(
                uuid.UUID(document_id), uuid.UUID(organization_id), storage_key
            )

    options: dict[str, Any] = {
        "broker": broker,
        "queue_name": QUEUE,
        # Our own attempt counter (in SQL, kills included) decides when a document fails;
        # Dramatiq's retries only have to outlast it, with backoff in between.
        "max_retries": settings.ingest_max_attempts * 4 + 4,
        "min_backoff": int(settings.retry_backoff_seconds * 1000),
        "max_backoff": int(max(settings.retry_backoff_seconds, 300) * 1000),
        "time_limit": int((settings.parse_timeout_seconds + 3600) * 1000),
        # Another worker holding the lease is expected, not an error worth a traceback.
        "throws": (LeaseHeld,),
    }
    return Actors(
        ingest_document=dramatiq.actor(actor_name="ingest_document", **options)(ingest_document),
        purge_document=dramatiq.actor(actor_name="purge_document", **options)(purge_document),
    )


class DramatiqJobs:
    """The domain's `Jobs` port, sending Dramatiq messages."""

    def __init__(self, actors: Actors) -> None:
        self._actors = actors

    async def start(self) -> None:
        """Nothing to open: the broker is the worker runtime's, which opens it."""

    async def close(self) -> None:
        """Nothing to release: the worker runtime closes the broker."""

    def ingest_document(self, document_id: uuid.UUID) -> None:
        """Queue ingestion of the document's current version."""
        # The trace context rides along, so the worker's spans join the upload's trace.
        self._actors.ingest_document.send_with_options(
            args=(str(document_id),), kwargs={"trace": carrier()}
        )

    def purge_document(
        self, document_id: uuid.UUID, organization_id: uuid.UUID, storage_key: str
    ) -> None:
        """Queue removal of a deleted document's vectors and file."""
        self._actors.purge_document.send(str(document_id), str(organization_id), storage_key)
