"""Identity queries."""

from typing import Annotated

import strawberry

from api.context import Info
from api.identity.types import Organization, User
from api.pagination import AFTER, FIRST, Connection, paged
from api.permissions import admin_only, signed_in
from domain.identity import organizations


@strawberry.type
class IdentityQuery:
    """Who am I, and who else is in my organisation."""

    @strawberry.field(
        description="Whether signUp is open (public: the sign-in page offers it when true)."
    )
    def sign_up_enabled(self, info: Info) -> bool:
        """Nothing secret: signUp itself answers SignUpDisabled when it is off."""
        return info.context.services.identity.sign_up_enabled

    @strawberry.field(description="The signed-in user.", extensions=signed_in())
    async def me(self, info: Info) -> User:
        """The caller's own account."""
        principal = info.context.require_principal()
        user = await info.context.loaders.identity.user.load(principal.user_id)
        if user is None:  # authenticate() just read this row
            raise LookupError("signed-in user vanished")
        return User.from_model(user)

    @strawberry.field(
        description="The caller's own organisation (its settings are for ADMINs).",
        extensions=signed_in(),
    )
    async def organization(self, info: Info) -> Organization:
        """The organisation the caller belongs to."""
        principal = info.context.require_principal()
        return Organization.from_model(await organizations.organization_of(principal))

    @strawberry.field(
        description="Users of the caller's organisation, oldest first (first <= 100).",
        extensions=admin_only(),
    )
    async def users(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[User]:
        """A page of users."""
        principal = info.context.require_principal()
        return await paged(
            info.context.services.identity.list_users(principal, first, after), User.from_model
        )

    @strawberry.field(
        description="A user of the caller's organisation; null for unknown or foreign ids.",
        extensions=admin_only(),
    )
    async def user(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="User id.")]
    ) -> User | None:
        """One user by id."""
        found = await info.context.services.identity.get_user(
            info.context.require_principal(), str(id)
        )
        return User.from_model(found) if found else None
