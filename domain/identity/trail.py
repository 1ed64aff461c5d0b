"""Actions on a user's account, as they go on the organisation's audit trail."""

import uuid
from typing import Any

from domain.audit import log as audit


async def record_on_user(
    organization_id: uuid.UUID,
    action: str,
    user_id: uuid.UUID,
    *,
    actor_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an action on a user's account to the organisation's audit trail."""
    await audit.record(
        organization_id,
        action,
        actor_id=actor_id,
        target_type="user",
        target_id=user_id,
        details=details,
    )
