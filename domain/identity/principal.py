"""Who is calling: established once per request from a verified access token."""

import uuid
from dataclasses import dataclass

from domain.identity.models import Role


@dataclass(frozen=True)
class Principal:
    """An authenticated, active user as of this request."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: Role

    @property
    def is_admin(self) -> bool:
        """ADMINs manage users and see every document of their organisation."""
        return self.role is Role.ADMIN
