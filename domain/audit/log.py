"""Append to, read, verify and prune organisations' audit chains."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from domain.audit.chain import GENESIS, event_hash
from domain.audit.models import ACTION_MAX_LENGTH, AuditCheckpoint, AuditEvent
from domain.audit.origin import current_origin
from domain.errors import PermissionDenied
from domain.identity.locks import lock_organization
from domain.identity.models import Organization
from domain.identity.principal import Principal
from domain.pagination import Direction, Ordering, Page, paginate

# The actions Beacon records (the API contract lists them; clients filter by these names).
USER_LOGIN = "user.login"
USER_LOGIN_FAILED = "user.login_failed"
USER_CREATED = "user.created"
USER_UPDATED = "user.updated"
USER_DEACTIVATED = "user.deactivated"
USER_REACTIVATED = "user.reactivated"
USER_LOGGED_OUT = "user.logged_out"
USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 - an action name
TOKEN_REUSE_DETECTED = "token.reuse_detected"  # noqa: S105 - an action name
DOCUMENT_UPLOADED = "document.uploaded"
DOCUMENT_DELETED = "document.deleted"
DOCUMENT_REINDEXED = "document.reindexed"
ORGANIZATION_SETTINGS_UPDATED = "organization.settings_updated"
ORGANIZATION_SIGN_IN_CHANGED = "organization.sign_in_changed"
QUESTION_ASKED = "question.asked"

# The chain's own order: clocks of several processes may disagree, sequence numbers cannot.
NEWEST_EVENT_FIRST = Ordering("sequence", Direction.DESC, key_type=int)


@dataclass(frozen=True)
class NewEvent:
    """One event to append: what happened, by whom, to what."""

    action: str
    actor_id: uuid.UUID | None = None
    target_type: str | None = None
    target_id: uuid.UUID | str | None = None
    details: dict[str, Any] | None = None


async def record(
    organization_id: uuid.UUID,
    action: str,
    *,
    actor_id: uuid.UUID | None = None,
    target_type: str | None = None,
    target_id: uuid.UUID | str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain, with the current request's origin."""
    [event] = await record_many(
        organization_id, [NewEvent(action, actor_id, target_type, target_id, details)]
    )
    return event


async def record_many(organization_id: uuid.UUID, events: Sequence[NewEvent]) -> list[AuditEvent]:
    """Append `events`, in order, to the organisation's chain, with the current request's
    origin, in one transaction (a batch of uploads takes the lock once, not once per file).

    Appends of one organisation run one at a time, from any API or worker process: the
    organisation's row is locked while the head is read and the events inserted (SQLite runs
    every write transaction alone anyway)."""
    if not events:
        return []
    origin = current_origin()
    async with in_transaction():
        await lock_organization(organization_id)
        sequence, previous_hash = await _head(organization_id)
        rows = []
        for event in events:
            sequence += 1
            values: dict[str, Any] = {
                "organization_id": organization_id,
                "sequence": sequence,
                "action": event.action,
                "actor_id": event.actor_id,
                "target_type": event.target_type,
                "target_id": None if event.target_id is None else str(event.target_id),
                "ip_address": origin.ip_address,
                "request_id": origin.request_id,
                "details": event.details or {},
                "created_at": datetime.now(UTC),
                "previous_hash": previous_hash,
            }
            previous_hash = event_hash(**values)
            rows.append(AuditEvent(**values, hash=previous_hash))
        await AuditEvent.bulk_create(rows)
    return rows


async def _head(organization_id: uuid.UUID) -> tuple[int, str]:
    """The sequence and hash the next event follows (the checkpoint's after a full prune)."""
    last = await AuditEvent.filter(organization_id=organization_id).order_by("-sequence").first()
    if last is not None:
        return last.sequence, last.hash
    checkpoint = await AuditCheckpoint.get_or_none(organization_id=organization_id)
    if checkpoint is not None:
        return checkpoint.sequence, checkpoint.hash
    return 0, GENESIS


async def page(
    actor: Principal,
    first: int | None,
    after: str | None,
    *,
    action: str | None = None,
    actor_id: str | None = None,
    since: datetime | None = None,
) -> Page[AuditEvent]:
    """The caller's organisation's events, newest first (ADMINs only)."""
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can read the audit log.")
    nothing: Page[AuditEvent] = Page(
        items=[], cursors=[], has_next_page=False, has_previous_page=False
    )
    query = AuditEvent.filter(organization_id=actor.organization_id)
    if action is not None:
        if len(action) > ACTION_MAX_LENGTH:  # no event has it; the ORM refuses to compare
            return nothing
        query = query.filter(action=action)
    if actor_id is not None:
        try:
            query = query.filter(actor_id=uuid.UUID(actor_id))
        except ValueError:
            return nothing
    if since is not None:
        query = query.filter(created_at__gte=since)
    return await paginate(query, first, after, NEWEST_EVENT_FIRST)


@dataclass(frozen=True)
class ChainBreak:
    """The first event at which an organisation's chain does not verify."""

    organization_id: uuid.UUID
    sequence: int
    reason: str


async def verify(organization_id: uuid.UUID) -> ChainBreak | None:
    """Walk the organisation's chain from its checkpoint; the first break, or None."""
    checkpoint = await AuditCheckpoint.get_or_none(organization_id=organization_id)
    expected_sequence, expected_previous = (
        (checkpoint.sequence, checkpoint.hash) if checkpoint else (0, GENESIS)
    )
    events = AuditEvent.filter(organization_id=organization_id).order_by("sequence")
    async for event in events:
        expected_sequence += 1
        if event.sequence != expected_sequence:
            return ChainBreak(
                organization_id, expected_sequence, f"event {expected_sequence} is missing"
            )
        if event.previous_hash != expected_previous:
            return ChainBreak(
                organization_id, event.sequence, "does not follow the event before it"
            )
        recomputed = seal(event)
        if recomputed != event.hash:
            return ChainBreak(organization_id, event.sequence, "was altered after it was written")
        expected_previous = event.hash
    return None


async def verify_all() -> list[ChainBreak]:
    """The first break of every organisation whose chain does not verify."""
    breaks = []
    org_ids: list[uuid.UUID] = await Organization.all().values_list("id", flat=True)  # type: ignore[assignment]
    for organization_id in org_ids:
        found = await verify(organization_id)
        if found is not None:
            breaks.append(found)
    return breaks


async def prune(retention: timedelta) -> int:
    """Delete events older than `retention` in every organisation, moving each checkpoint to
    the last pruned event so that the rest still verifies; how many events went."""
    cutoff = datetime.now(UTC) - retention
    pruned = 0
    org_ids: list[uuid.UUID] = await Organization.all().values_list("id", flat=True)  # type: ignore[assignment]
    for organization_id in org_ids:
        async with in_transaction():
            await lock_organization(organization_id)
            old = AuditEvent.filter(organization_id=organization_id, created_at__lt=cutoff)
            last = await old.order_by("-sequence").first()
            if last is None:
                continue
            await AuditCheckpoint.update_or_create(
                {"sequence": last.sequence, "hash": last.hash, "pruned_at": datetime.now(UTC)},
                organization_id=organization_id,
            )
            pruned += await AuditEvent.filter(
                organization_id=organization_id, sequence__lte=last.sequence
            ).delete()
    return pruned


def seal(event: AuditEvent) -> str:
    """The hash a stored event must carry, from its columns as they are now."""
    return event_hash(
        organization_id=event.organization_id,
        sequence=event.sequence,
        action=event.action,
        actor_id=event.actor_id,
        target_type=event.target_type,
        target_id=event.target_id,
        ip_address=event.ip_address,
        request_id=event.request_id,
        details=event.details,
        created_at=event.created_at,
        previous_hash=event.previous_hash,
    )
