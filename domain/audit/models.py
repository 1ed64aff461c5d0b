"""Audit events and the checkpoints that pruning leaves, so that chains still verify."""

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model

from domain.identity.models import Organization

ACTION_MAX_LENGTH = 64


class AuditEvent(Model):
    """One recorded action; never updated, its hash covers every column and the one before.

    `hash` is computed by `domain.audit.chain` over every other column, `previous_hash` (the
    hash of the organisation's event before it) included.

    `actor_id` and `target_id` are plain values, not foreign keys: a cascade or SET NULL would
    rewrite a hashed row.
    """

    id = fields.UUIDField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="audit_events", on_delete=fields.CASCADE
    )
    sequence = fields.BigIntField(description="1, 2, 3... within the organisation.")
    action = fields.CharField(max_length=ACTION_MAX_LENGTH, db_index=True)
    actor_id = fields.UUIDField(null=True, db_index=True)
    target_type = fields.CharField(max_length=32, null=True)
    target_id = fields.CharField(max_length=64, null=True)
    ip_address = fields.CharField(max_length=64, null=True)
    request_id = fields.CharField(max_length=64, null=True)
    details: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(db_index=True)
    previous_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    organization_id: uuid.UUID

    class Meta:
        table = "audit_event"
        unique_together = (("organization", "sequence"),)


class AuditCheckpoint(Model):
    """Where an organisation's chain now starts: the last pruned event's sequence and hash."""

    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "models.Organization",
        related_name="audit_checkpoint",
        on_delete=fields.CASCADE,
        primary_key=True,
    )
    sequence = fields.BigIntField()
    hash = fields.CharField(max_length=64)
    pruned_at = fields.DatetimeField()

    organization_id: uuid.UUID

    class Meta:
        table = "audit_checkpoint"
