"""Per-request DataLoaders for identity relations."""

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.identity.models import Organization, User
from domain.identity.services import IdentityService


class IdentityLoaders:
    """Batch users and organisations by id: one query per relation per request."""

    def __init__(self, identity: IdentityService) -> None:
        self._identity = identity
        self.user = DataLoader[uuid.UUID, User | None](load_fn=self._users)
        self.organization = DataLoader[uuid.UUID, Organization | None](load_fn=self._organizations)

    async def _users(self, ids: Sequence[uuid.UUID]) -> list[User | None]:
        found = await self._identity.users_by_id(list(ids))
        return [found.get(i) for i in ids]

    async def _organizations(self, ids: Sequence[uuid.UUID]) -> list[Organization | None]:
        found = await self._identity.organizations_by_id(list(ids))
        return [found.get(i) for i in ids]
