"""The audit chain in SQL: appended one at a time, verified, broken by hand edits, pruned."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from domain.audit import log as audit
from domain.audit.models import AuditCheckpoint, AuditEvent
from domain.audit.origin import Origin, request_origin
from domain.bootstrap import Services
from domain.identity.models import Organization


async def organization() -> uuid.UUID:
    return (await Organization.create(name="Acme")).id


async def test_events_chain_one_after_another_with_their_origin(services: Services) -> None:
    org = await organization()
    with request_origin(Origin("203.0.113.7", "req-1")):
        first = await audit.record(org, audit.USER_LOGIN, target_type="user", target_id="u1")
    second = await audit.record(org, audit.DOCUMENT_DELETED, details={"title": "Policy"})

    assert (first.sequence, second.sequence) == (1, 2)
    assert second.previous_hash == first.hash
    assert (first.ip_address, first.request_id) == ("203.0.113.7", "req-1")
    assert second.ip_address is None  # outside a request
    assert await audit.verify(org) is None


async def test_concurrent_appends_get_every_sequence_number_once(services: Services) -> None:
    org = await organization()
    await asyncio.gather(*(audit.record(org, audit.USER_LOGIN) for _ in range(20)))

    sequences = await AuditEvent.filter(organization_id=org).values_list("sequence", flat=True)
    assert sorted(sequences) == list(range(1, 21))
    assert await audit.verify(org) is None


async def test_a_hand_edited_row_breaks_the_chain_at_that_event(services: Services) -> None:
    org = await organization()
    for _ in range(3):
        await audit.record(org, audit.USER_LOGIN, details={"ok": True})
    await AuditEvent.filter(organization_id=org, sequence=2).update(details={"ok": False})

    found = await audit.verify(org)

    assert found is not None
    assert (found.sequence, found.reason) == (2, "was altered after it was written")
    assert [b.organization_id for b in await audit.verify_all()] == [org]


async def test_a_deleted_row_breaks_the_chain_where_it_was(services: Services) -> None:
    org = await organization()
    for _ in range(3):
        await audit.record(org, audit.USER_LOGIN)
    await AuditEvent.filter(organization_id=org, sequence=2).delete()

    found = await audit.verify(org)

    assert found is not None and found.sequence == 2
    assert found.reason == "event 2 is missing"


async def test_pruning_leaves_a_checkpoint_so_the_rest_still_verifies(services: Services) -> None:
    org = await organization()
    for _ in range(3):
        await audit.record(org, audit.USER_LOGIN)
    old = datetime.now(UTC) - timedelta(days=400)
    await AuditEvent.filter(organization_id=org, sequence__lte=2).update(created_at=old)
    # Moving the time is a hand edit: re-seal the two old events as if written back then.
    for sequence in (1, 2):
        await _reseal(org, sequence)

    assert await audit.prune(timedelta(days=365)) == 2

    checkpoint = await AuditCheckpoint.get(organization_id=org)
    assert checkpoint.sequence == 2
    assert await AuditEvent.filter(organization_id=org).count() == 1
    assert await audit.verify(org) is None
    fourth = await audit.record(org, audit.USER_LOGIN)
    assert fourth.sequence == 4
    assert await audit.verify(org) is None


async def test_pruning_everything_keeps_the_chain_going(services: Services) -> None:
    org = await organization()
    await audit.record(org, audit.USER_LOGIN)
    await AuditEvent.filter(organization_id=org).update(
        created_at=datetime.now(UTC) - timedelta(days=2)
    )
    await _reseal(org, 1)

    assert await audit.prune(timedelta(days=1)) == 1
    following = await audit.record(org, audit.USER_LOGIN)

    assert following.sequence == 2
    assert await audit.verify(org) is None


async def _reseal(org: uuid.UUID, sequence: int) -> None:
    """Recompute an event's hash, and the previous-hash link of the events after it."""
    events = await AuditEvent.filter(organization_id=org).order_by("sequence")
    previous = None
    for event in events:
        if previous is not None:
            event.previous_hash = previous
        if event.sequence >= sequence:
            event.hash = audit.seal(event)
            await event.save(update_fields=["hash", "previous_hash"])
        previous = event.hash


async def test_events_appended_together_chain_in_their_order_in_one_go(services: Services) -> None:
    org = await organization()
    await audit.record(org, audit.USER_LOGIN)
    with request_origin(Origin("203.0.113.7", "req-2")):
        batch = await audit.record_many(
            org,
            [
                audit.NewEvent(audit.DOCUMENT_UPLOADED, target_type="document", target_id=name)
                for name in ("a", "b", "c")
            ],
        )

    stored = await AuditEvent.filter(organization_id=org).order_by("sequence")
    assert [(e.sequence, e.target_id) for e in stored] == [(1, None), (2, "a"), (3, "b"), (4, "c")]
    assert [e.hash for e in stored[1:]] == [e.hash for e in batch]
    assert {e.request_id for e in stored[1:]} == {"req-2"}
    assert await audit.verify(org) is None
    assert await audit.record_many(org, []) == []
