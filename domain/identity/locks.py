"""One organisation's changes that must not interleave (its audit chain, its last ADMIN, its
answer budget, its settings) run one at a time, in any process."""

import uuid

from tortoise.expressions import F

from domain.identity.models import Organization


async def lock_organization(organization_id: uuid.UUID) -> None:
    """Inside a transaction: hold the organisation's row until the transaction ends.

    It is a write (`name = name`), not `SELECT ... FOR UPDATE`: on PostgreSQL both take the
    row lock, but SQLite ignores FOR UPDATE, and a transaction there that reads before it
    writes fails with "database is locked" when another connection (the in-process worker's)
    writes first. Writing first takes SQLite's write lock at once, waiting its turn instead.
    """
    await Organization.filter(id=organization_id).update(name=F("name"))
