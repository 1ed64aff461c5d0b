"""Persistent identity entities: organisations, their users, refresh tokens, and the OpenID
Connect provider an organisation signs in with."""

import uuid
from datetime import datetime
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    """What a user may do inside their organisation."""

    ADMIN = "ADMIN"
    USER = "USER"


class Organization(Model):
    """A tenant: every user and document belongs to exactly one; its ADMINs set how it answers.

    `system_prompt` None means Beacon's own instructions; `prompt_version` counts the changes
    of the prompt (0: never changed), and `OrganizationPrompt` keeps every version's text.
    `answer_sources` None means the server's `BEACON_ANSWER_SOURCES`. `default_visibility` is a
    `domain.visibility.Visibility` value, as text: a CharEnumField would change the field's
    description, which aerich takes for a change needing a migration.
    """

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    system_prompt: str | None = fields.TextField(null=True)
    prompt_version = fields.IntField(default=0)
    answer_sources: int | None = fields.IntField(null=True)
    default_visibility = fields.CharField(max_length=16, default="ORGANIZATION")
    password_sign_in = fields.BooleanField(
        default=True, description="False: members sign in through the OIDC provider only."
    )

    class Meta:
        table = "organization"


class OrganizationPrompt(Model):
    """One version of an organisation's system prompt, kept for tracing answers.

    An answer's `prompt_version` names the text it was generated with."""

    id = fields.UUIDField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="prompts", on_delete=fields.CASCADE
    )
    version = fields.IntField()
    text = fields.TextField(null=True, description="None: back to Beacon's own instructions.")
    created_by = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    organization_id: uuid.UUID

    class Meta:
        table = "organization_prompt"
        unique_together = (("organization", "version"),)


class User(Model):
    """A person who signs in; `token_version` bumps revoke every access token issued before."""

    id = fields.UUIDField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="users", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254, unique=True)
    role = fields.CharEnumField(Role, max_length=16, default=Role.USER)
    password_hash = fields.CharField(max_length=100)
    is_active = fields.BooleanField(default=True)
    token_version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    last_login_at = fields.DatetimeField(null=True)

    organization_id: uuid.UUID

    class Meta:
        table = "user"


class RefreshToken(Model):
    """One refresh token, stored as a hash; rotation keeps the chain in one `family`."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    family = fields.UUIDField(db_index=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    user_id: uuid.UUID

    class Meta:
        table = "refresh_token"


class OidcProvider(Model):
    """The OpenID Connect provider an organisation's members may sign in with.

    The client secret is either stored (`client_secret_encrypted`, Fernet under a key derived
    from the secret key: `domain.identity.secrets`) or named (`client_secret_env`, an
    environment variable read at each sign-in); exactly one of the two is set. An email domain
    belongs to one organisation's provider at most (`domain.identity.oidc` checks it).
    """

    id = fields.UUIDField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "models.Organization", related_name="oidc_provider", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    issuer = fields.CharField(max_length=500)
    client_id = fields.CharField(max_length=500)
    client_secret_encrypted: str | None = fields.TextField(null=True)
    client_secret_env = fields.CharField(max_length=200, null=True)
    allowed_domains: list[str] = fields.JSONField(default=list)
    groups_claim = fields.CharField(max_length=100, default="groups")
    admin_groups: list[str] = fields.JSONField(default=list)
    verified_at: datetime | None = fields.DatetimeField(
        null=True, description="The first successful OIDC sign-in of the organisation."
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organization_id: uuid.UUID

    class Meta:
        table = "oidc_provider"
