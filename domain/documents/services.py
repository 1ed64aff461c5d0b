"""Document use cases at the API's pace: upload, list, read, delete, reindex, watch."""

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from domain.audit import log as audit
from domain.documents.access import can_delete, visible_documents
from domain.documents.filestores.base import FileStore, StagedFile, Staging
from domain.documents.jobs import Jobs
from domain.documents.kinds import DocumentKind
from domain.documents.models import TRANSIENT_FAILURES, Document, DocumentStatus
from domain.documents.names import claimed_kind, clean_filename, contradicts
from domain.documents.ordering import document_ordering
from domain.documents.sniffing import ArchiveLimits, sniff
from domain.errors import (
    BeaconError,
    DocumentRejected,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransientFailure,
    UnsupportedDocument,
)
from domain.identity.models import Organization
from domain.identity.principal import Principal
from domain.identity.throttling import ActionThrottle
from domain.notifications import Notifications
from domain.pagination import Ordering, Page, paginate
from domain.visibility import Visibility

log = logging.getLogger(__name__)

# Subscribers re-read the row at least this often, so a lost notification only delays.
_WATCH_POLL_SECONDS = 2.0
# The title column's length: no title holds a longer search.
MAX_TITLE = MAX_TITLE_SEARCH = 300


@dataclass(frozen=True)
class UploadOutcome:
    """The stored document, and whether it already existed."""

    document: Document
    duplicate: bool
    # A duplicate of a document that had FAILED for a transient reason, queued again.
    retried: bool = False
    # Stored and QUEUED, but the job queue refused the message: the sweeper sends it later.
    delayed: bool = False

    @property
    def needs_ingestion(self) -> bool:
        """New, or queued again: a worker has to hear of it."""
        return not self.duplicate or self.retried


@dataclass(frozen=True)
class IncomingFile:
    """A file as it arrives: the name it came with, its bytes, and an optional title."""

    filename: str
    chunks: AsyncIterator[bytes]
    title: str | None = None


class DocumentService:
    """Documents as people see them, inside their organisation's access rules."""

    def __init__(
        self,
        staging: Staging,
        files: FileStore,
        jobs: Jobs,
        events: Notifications,
        max_upload_bytes: int,
        archive_limits: ArchiveLimits,
        throttle: ActionThrottle,
    ) -> None:
        self._staging = staging
        self._files = files
        self._jobs = jobs
        self._events = events
        self._max_upload_bytes = max_upload_bytes
        self._archive_limits = archive_limits
        self._throttle = throttle

    async def upload(
        self,
        actor: Principal,
        filename: str,
        chunks: AsyncIterator[bytes],
        visibility: Visibility | None = None,
        title: str | None = None,
        *,
        throttled: bool = True,
    ) -> UploadOutcome:
        """Store a file under a generated key and queue its ingestion (after commit); without
        a visibility, the organisation's default applies. `throttled=False` skips the
        per-person upload limit, which guards the API from one account's flood: an operator's
        `beacon ingest` of a folder is not one (it refused the 121st file of a minute).

        The same content again is the existing document (`duplicate`), unless that one FAILED
        for a transient reason: then it is queued again, as its next version (`retried`).
        """
        [outcome] = await self.upload_many(
            actor, [IncomingFile(filename, chunks, title)], visibility, throttled=throttled
        )
        if isinstance(outcome, BeaconError):
            raise outcome
        return outcome

    async def upload_many(
        self,
        actor: Principal,
        files: Sequence[IncomingFile],
        visibility: Visibility | None = None,
        *,
        throttled: bool = True,
    ) -> list[UploadOutcome | InvalidInput | DocumentRejected]:
        """`upload` for several files at once: an outcome per file, in their order, where a
        refused file is its error and the others are kept. The batch pays once for what does
        not depend on the file: the upload limit (charged a unit per file, all or none: over
        it, `RateLimited` and nothing is kept), the organisation's default visibility, and
        one audit transaction for every kept file."""
        named = [_name_and_title(file) for file in files]
        results: list[UploadOutcome | InvalidInput | DocumentRejected | None] = [
            InvalidInput("title", f"Use a title of at most {MAX_TITLE} characters.")
            if len(title) > MAX_TITLE
            else None
            for _, title in named
        ]
        wanted = [i for i, result in enumerate(results) if result is None]
        if throttled and wanted:
            await self._throttle.check_upload(str(actor.user_id), len(wanted))
        if visibility is None and wanted:
            organization = await Organization.get(id=actor.organization_id)
            visibility = Visibility(organization.default_visibility)
        kept: dict[int, UploadOutcome] = {}  # by position: new, or queued again
        try:
            for i in wanted:
                assert visibility is not None
                try:
                    outcome = await self._keep(actor, files[i].chunks, *named[i], visibility)
                except (DocumentRejected, InvalidInput) as error:
                    results[i] = error
                    continue
                results[i] = outcome
                if outcome.needs_ingestion:
                    kept[i] = outcome
        finally:
            # Also when a later file failed unexpectedly: the files kept so far are recorded
            # and queued (a client retrying the batch gets them back as duplicates).
            announced = await self._announce(actor, list(kept.values()))
        for i, outcome in zip(kept, announced, strict=True):
            results[i] = outcome
        return [result for result in results if result is not None]  # none is left None

    async def _announce(self, actor: Principal, kept: list[UploadOutcome]) -> list[UploadOutcome]:
        """Audit the new or retried documents in one transaction and tell a worker of each;
        their outcomes, `delayed` where the queue refused."""
        for outcome in kept:
            if outcome.retried:
                await self._events.publish(outcome.document.id)
        await audit.record_many(
            actor.organization_id,
            [_event(actor, audit.DOCUMENT_UPLOADED, outcome.document) for outcome in kept],
        )
        return [self._queue(outcome) for outcome in kept]

    async def _keep(
        self,
        actor: Principal,
        chunks: AsyncIterator[bytes],
        name: str,
        title: str,
        visibility: Visibility,
    ) -> UploadOutcome:
        """Receive, type-check and record one file."""
        staged = await self._staging.receive(chunks, self._max_upload_bytes)
        try:
            kind = await asyncio.to_thread(self._check_type, staged, name)
            return await self._record(actor, staged, name, kind, visibility, title)
        finally:
            # Kept files left staging already; anything still here is refused or a duplicate.
            self._staging.discard(staged)

    def _queue(self, outcome: UploadOutcome) -> UploadOutcome:
        """Tell a worker; `delayed` if the queue refused (the document stays QUEUED)."""
        try:
            self._jobs.ingest_document(outcome.document.id)
        except Exception as error:
            # The document is stored and QUEUED, so nothing is lost: the sweeper queues QUEUED
            # documents that nobody has touched for a lease, once the queue is back.
            log.warning("ingestion of document %s not queued: %s", outcome.document.id, error)
            return dataclasses.replace(outcome, delayed=True)
        return outcome

    async def get(self, actor: Principal, document_id: str) -> Document | None:
        """A document the caller may see; anything else (other organisation too) is None."""
        try:
            wanted = uuid.UUID(document_id)
        except ValueError:
            return None
        return await visible_documents(actor).get_or_none(id=wanted)

    async def by_ids(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Document]:
        """Documents by id in one query (for data loaders; callers checked access)."""
        return {document.id: document for document in await Document.filter(id__in=ids)}

    async def list(
        self,
        actor: Principal,
        first: int | None,
        after: str | None,
        status: DocumentStatus | None = None,
        title_contains: str | None = None,
        ordering: Ordering | None = None,
    ) -> Page[Document]:
        """Visible documents, newest first unless told, optionally in one status or by title."""
        query = visible_documents(actor)
        if status is not None:
            query = query.filter(status=status)
        if title_contains is not None:
            if len(title_contains) > MAX_TITLE_SEARCH:
                raise InvalidInput("titleContains", f"Use at most {MAX_TITLE_SEARCH} characters.")
            # `icontains` escapes % and _ (and \\), so they match themselves.
            query = query.filter(title__icontains=title_contains)
        return await paginate(query, first, after, ordering or document_ordering())

    async def delete(self, actor: Principal, document_id: str) -> uuid.UUID:
        """Remove rows now and vectors and file in the background; idempotent for the caller."""
        document = await self.get(actor, document_id)
        if document is None:
            raise NotFound("No such document.")
        if not can_delete(actor, document):
            raise PermissionDenied("Only the uploader or an administrator can delete it.")
        await Document.filter(id=document.id).delete()  # chunks and texts cascade
        await _record(actor, audit.DOCUMENT_DELETED, document)
        try:
            self._jobs.purge_document(
                document.id, document.organization_id, storage_key(document.id)
            )
        except Exception as error:
            # The document is gone for everyone already (search keeps only hits whose row
            # exists); what the purge would remove, `beacon reconcile --fix` removes too.
            log.warning("purge of deleted document %s not queued: %s", document.id, error)
        await self._events.publish(document.id)
        return document.id

    async def reindex(self, actor: Principal, document_id: str) -> Document:
        """ADMIN: parse and index the document again as a new version."""
        if not actor.is_admin:
            raise PermissionDenied("Only administrators can reindex documents.")
        document = await self.get(actor, document_id)
        if document is None:
            raise NotFound("No such document.")
        await start_new_version(document.id)
        document = await Document.get(id=document.id)
        await _record(actor, audit.DOCUMENT_REINDEXED, document)
        self._jobs.ingest_document(document.id)
        await self._events.publish(document.id)
        return document

    async def watch(self, actor: Principal, document_id: str) -> AsyncIterator[Document | None]:
        """The document now and after every change, until READY or FAILED (None: gone)."""
        document = await self.get(actor, document_id)
        if document is None:
            yield None
            return
        async with self._events.subscribe(document.id) as changes:
            last: tuple[object, ...] | None = None
            while True:
                current = await self.get(actor, document_id)
                if current is None:
                    yield None
                    return
                state = (current.status, current.progress, current.version, current.chunk_count)
                if state != last:
                    last = state
                    yield current
                if current.status.is_final:
                    return
                await changes.wait(_WATCH_POLL_SECONDS)

    def _check_type(self, staged: StagedFile, name: str) -> DocumentKind:
        kind = sniff(staged.path, name, self._archive_limits)
        claimed = claimed_kind(name)
        if claimed is not None and contradicts(claimed, kind):
            raise UnsupportedDocument(
                f"The file's content is {kind.name}, but its name says {claimed.name}."
            )
        return kind

    async def _record(
        self,
        actor: Principal,
        staged: StagedFile,
        name: str,
        kind: DocumentKind,
        visibility: Visibility,
        title: str,
    ) -> UploadOutcome:
        scope = "organization" if visibility is Visibility.ORGANIZATION else str(actor.user_id)
        same = Document.filter(
            organization_id=actor.organization_id, sha256=staged.sha256, dedupe_scope=scope
        )
        # Store first, then insert: a row never points at a missing file. The unique index
        # finds a duplicate (rare) in the same statement, where looking first would cost
        # every upload a SELECT.
        try:
            storage_key = await self._files.keep(staged)
        except Exception as error:
            log.warning("storing an upload failed: %s", error)
            raise TransientFailure("The file could not be stored; try the upload again.") from error
        try:
            document = await Document.create(
                id=uuid.UUID(storage_key),
                uploaded_by_id=actor.user_id,
                title=title,
                filename=name,
                kind=kind,
                size_bytes=staged.size_bytes,
                visibility=visibility,
                organization_id=actor.organization_id,
                sha256=staged.sha256,
                dedupe_scope=scope,
            )
        except IntegrityError:
            # The same content is already there (or won a race a moment ago): keep theirs.
            await self._files.delete(storage_key)
            existing = await same.get()
            if existing.status is DocumentStatus.FAILED and await start_new_version(
                existing.id, only_after_transient_failure=True
            ):
                retried = await Document.get(id=existing.id)
                return UploadOutcome(retried, duplicate=True, retried=True)
            return UploadOutcome(existing, duplicate=True)
        except BaseException:
            await asyncio.shield(self._files.delete(storage_key))
            raise
        return UploadOutcome(document, duplicate=False)


def storage_key(document_id: uuid.UUID) -> str:
    """Documents are stored under their own id: one key, never a client-supplied name."""
    return document_id.hex


async def start_new_version(
    document_id: uuid.UUID, *, only_after_transient_failure: bool = False
) -> bool:
    """Queue the document for ingestion from scratch, as its next version; with
    `only_after_transient_failure`, only if it FAILED for a transient reason. False if
    nothing changed.

    One UPDATE: a worker still on the old version notices (its writes match no row), and of
    two uploads retrying the same failure only one starts a version. A new version, never the
    same one again, is what lets ingestion append a version's vectors on its first attempt
    without looking for earlier copies.
    """
    query = Document.filter(id=document_id)
    if only_after_transient_failure:
        query = query.filter(status=DocumentStatus.FAILED, failure_code__in=TRANSIENT_FAILURES)
    changed = await query.update(
        version=F("version") + 1,
        status=DocumentStatus.QUEUED,
        progress=0.0,
        attempts=0,
        failure_code=None,
        failure_message=None,
        lease_expires_at=None,
    )
    return changed > 0


def _name_and_title(file: IncomingFile) -> tuple[str, str]:
    """The file's safe name, and its title (the name without extension unless given)."""
    name = clean_filename(file.filename)
    return name, (file.title or "").strip() or name.rsplit(".", 1)[0] or name


def _event(actor: Principal, action: str, document: Document) -> audit.NewEvent:
    return audit.NewEvent(
        action,
        actor_id=actor.user_id,
        target_type="document",
        target_id=document.id,
        details={"title": document.title, "version": document.version},
    )


async def _record(actor: Principal, action: str, document: Document) -> None:
    await audit.record_many(actor.organization_id, [_event(actor, action, document)])
