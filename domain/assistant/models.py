"""Persistent assistant entities: conversations, their messages, and feedback on answers."""

import uuid
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from domain.identity.models import Organization, User


class MessageRole(StrEnum):
    """Who wrote a message."""

    USER = "USER"
    ASSISTANT = "ASSISTANT"


class Rating(StrEnum):
    """Feedback on an answer."""

    UP = "UP"
    DOWN = "DOWN"


class Conversation(Model):
    """A thread of questions and answers; private to the user who started it."""

    id = fields.UUIDField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="conversations", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="conversations", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    organization_id: uuid.UUID
    user_id: uuid.UUID

    class Meta:
        table = "conversation"


class Message(Model):
    """A question or an answer; answers keep their citations, token usage and latency."""

    id = fields.UUIDField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="messages", on_delete=fields.CASCADE
    )
    # Denormalised so usage can be summed per user and organisation without joins.
    organization_id = fields.UUIDField(db_index=True)
    user_id = fields.UUIDField(db_index=True)
    role = fields.CharEnumField(MessageRole, max_length=16)
    text = fields.TextField()
    citations: list[dict[str, object]] = fields.JSONField(default=list)
    prompt_tokens = fields.IntField(default=0)
    completion_tokens = fields.IntField(default=0)
    latency_ms = fields.IntField(default=0)
    generator = fields.CharField(max_length=100, default="")
    # "beacon-N": Beacon's own instructions, version N; "organization-N": the organisation's
    # prompt, version N (OrganizationPrompt). Traces a change of quality to a change of prompt.
    prompt_version = fields.CharField(max_length=40, default="")
    # Set when the configured model failed before its first word and `generator` stood in:
    # the model's failure code (LLM_TIMEOUT, LLM_UNAVAILABLE...).
    fallback_reason = fields.CharField(max_length=40, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    conversation_id: uuid.UUID

    class Meta:
        table = "message"


class Feedback(Model):
    """One user's rating of one answer (rating again replaces it)."""

    id = fields.UUIDField(primary_key=True)
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="feedback", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="feedback", on_delete=fields.CASCADE
    )
    rating = fields.CharEnumField(Rating, max_length=8)
    comment = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    message_id: uuid.UUID
    user_id: uuid.UUID

    class Meta:
        table = "feedback"
        unique_together = (("message", "user"),)
