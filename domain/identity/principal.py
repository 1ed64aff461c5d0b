"""Who is calling: established once per request from a verified access token."""

import uuid
from dataclasses import dataclass

from domain.identity.models import Role, User


@dataclass(frozen=True)
class Principal:
    """An authenticated, active user as of this request."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: Role

    @classmethod
    def of(cls, user: User) -> "Principal":
        """The principal a freshly authenticated user acts as."""
        return cls(user_id=user.id, organization_id=user.organization_id, role=user.role)

    @property
    def is_admin(self) -> bool:
        """ADMINs manage users and see every document of their organisation."""
        return self.role is Role.ADMIN
