"""How an audit event's hash is computed: sha256 over a canonical JSON of every column and
the previous event's hash, so that editing, deleting or reordering any row breaks the chain."""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64  # the previous hash of an organisation's first event


def event_hash(
    *,
    organization_id: uuid.UUID,
    sequence: int,
    action: str,
    actor_id: uuid.UUID | None,
    target_type: str | None,
    target_id: str | None,
    ip_address: str | None,
    request_id: str | None,
    details: dict[str, Any],
    created_at: datetime,
    previous_hash: str,
) -> str:
    """The hash an event with these values must carry."""
    canonical = json.dumps(
        {
            "organization": str(organization_id),
            "sequence": sequence,
            "action": action,
            "actor": str(actor_id) if actor_id else None,
            "targetType": target_type,
            "targetId": target_id,
            "ip": ip_address,
            "requestId": request_id,
            "details": details,
            "createdAt": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "previous": previous_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
