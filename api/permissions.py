"""Field permissions, shown in the SDL as `@requires(role: ...)`."""

from enum import Enum
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location

from api.context import Info
from api.errors import Forbidden, Unauthenticated
from domain.identity.models import Role as DomainRole


@strawberry.enum(description="What a user may do inside their organisation.")
class Role(Enum):
    """GraphQL mirror of the domain role."""

    ADMIN = strawberry.enum_value("ADMIN", description="Manages users; sees every document.")
    USER = strawberry.enum_value("USER", description="Reads what the organisation shares.")


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="The caller must be signed in with at least this role.",
)
class Requires:
    """SDL marker for a permission class."""

    role: Role


class IsAuthenticated(BasePermission):
    """Any signed-in, active user."""

    message = "Sign in first."
    error_class = Unauthenticated
    _schema_directive = Requires(role=Role.USER)

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        """Signed in with a valid token; the error says why not (expired, revoked...)."""
        info.context.require_principal()
        return True


class IsAdmin(BasePermission):
    """ADMINs of the caller's organisation; others get UNAUTHENTICATED or FORBIDDEN."""

    message = "Only administrators can do this."
    error_class = Forbidden
    _schema_directive = Requires(role=Role.ADMIN)

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        """Signed in as ADMIN (UNAUTHENTICATED comes first when not signed in)."""
        principal = info.context.require_principal()
        return principal.role is DomainRole.ADMIN


def required_role(field: object) -> Role | None:
    """The role a field's permissions require (ADMIN over USER), None when anyone may run it.

    `field` is a Strawberry field; anything else (a field of graphql-core's own) needs none.
    """
    roles = {
        directive.role
        for extension in getattr(field, "extensions", ())
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
        if isinstance(directive := getattr(permission, "_schema_directive", None), Requires)
    }
    if Role.ADMIN in roles:
        return Role.ADMIN
    return Role.USER if roles else None


def ensure_self_or_admin(info: Info, user_id: object) -> None:
    """Another user's private fields are for ADMINs only."""
    principal = info.context.require_principal()
    if principal.user_id != user_id and not principal.is_admin:
        raise Forbidden("Only administrators can read other users' email addresses.")


def signed_in() -> list[FieldExtension]:
    """Field extensions for any signed-in user; shows `@requires(role: USER)` in the SDL."""
    return [PermissionExtension(permissions=[IsAuthenticated()])]


def admin_only() -> list[FieldExtension]:
    """Field extensions for ADMINs; shows `@requires(role: ADMIN)` in the SDL."""
    return [PermissionExtension(permissions=[IsAdmin()])]
