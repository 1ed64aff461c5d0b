"""Which embedding model answers an organisation's searches, and any re-embedding under way."""

import uuid

from tortoise import fields
from tortoise.models import Model

from domain.identity.models import Organization

# Every vector written before models were recorded per organisation was made by this one.
ORIGINAL_MODEL = "all-MiniLM-L6-v2"


class EmbeddingState(Model):
    """The embedding models of an organisation's vectors.

    Without a row, the organisation's first write takes the configured model (with no vectors
    it has nothing to re-embed). The id is the organisation's."""

    id = fields.UUIDField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "models.Organization", related_name="embedding_state", on_delete=fields.CASCADE
    )
    # The model whose vectors search reads, and whose embedder embeds the query.
    active_model = fields.CharField(max_length=100)
    # Being filled by `beacon reembed`; ingestion writes it too, so nothing new is missed.
    target_model = fields.CharField(max_length=100, null=True)
    # The last chunk id (in id order) whose target vector is stored: a rerun resumes after it.
    reembed_cursor = fields.UUIDField(null=True)
    # The model replaced by the last switch, until its vectors are removed.
    retired_model = fields.CharField(max_length=100, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: uuid.UUID

    class Meta:
        table = "embedding_state"
