"""GraphQL types of the identity context."""

import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidRefreshToken,
    LastActiveAdmin,
    NotFoundError,
    PasswordSignInDisabled,
    SignUpDisabled,
    TooManyAttempts,
    ValidationError,
)
from api.permissions import Role, admin_only, ensure_self_or_admin
from api.visibility import Visibility
from domain.identity import models
from domain.identity.sessions import Session


@strawberry.type(description="A tenant; users and documents belong to exactly one.")
class Organization:
    """An organisation."""

    id: strawberry.ID = strawberry.field(description="Stable identifier.")
    name: str = strawberry.field(description="Display name.")
    _model: strawberry.Private[models.Organization]

    @strawberry.field(description="Who sees an upload whose visibility was left out.")
    def default_visibility(self) -> Visibility:
        """Any member may read it: their uploads follow it."""
        return Visibility(self._model.default_visibility)

    @strawberry.field(description="How the organisation answers (ADMINs).", extensions=admin_only())
    def settings(self, info: Info) -> "OrganizationSettings":
        """The settings, with the server's defaults filled in."""
        return OrganizationSettings.from_model(self._model, info)

    @classmethod
    def from_model(cls, org: models.Organization) -> "Organization":
        """From the ORM entity."""
        return cls(id=strawberry.ID(str(org.id)), name=org.name, _model=org)


@strawberry.type(description="What an organisation's ADMINs set.")
class OrganizationSettings:
    """Organisation settings, as in effect now."""

    system_prompt: str | None = strawberry.field(
        description="Instructions for answers; null: Beacon's own. Beacon's rules for handling "
        "sources as untrusted data always follow it."
    )
    prompt_version: int = strawberry.field(
        description="How many times the prompt changed; answers record the version they used."
    )
    answer_sources: int = strawberry.field(description="Passages an answer is given (1-20).")
    default_visibility: Visibility = strawberry.field(
        description="Who sees an upload whose visibility was left out."
    )

    @classmethod
    def from_model(cls, org: models.Organization, info: Info) -> "OrganizationSettings":
        """The settings, with `BEACON_ANSWER_SOURCES` where the organisation set none."""
        return cls(
            system_prompt=org.system_prompt,
            prompt_version=org.prompt_version,
            answer_sources=org.answer_sources or info.context.services.settings.answer_sources,
            default_visibility=Visibility(org.default_visibility),
        )


@strawberry.type(description="A person who signs in to an organisation.")
class User:
    """A user; email is visible to the user themself and to ADMINs."""

    id: strawberry.ID = strawberry.field(description="Stable identifier.")
    role: Role = strawberry.field(description="What the user may do.")
    created_at: datetime = strawberry.field(description="When the account was created.")
    is_active: bool = strawberry.field(description="Inactive users cannot sign in.")
    _email: strawberry.Private[str]
    _last_login_at: strawberry.Private[datetime | None]
    _organization_id: strawberry.Private[uuid.UUID]
    # An AuthPayload's user is the caller even before the request carries their token.
    _is_session_owner: strawberry.Private[bool] = False

    @strawberry.field(description="Sign-in address; other users' addresses are for ADMINs only.")
    def email(self, info: Info) -> str:
        """The address, after checking who asks."""
        if not self._is_session_owner:
            ensure_self_or_admin(info, uuid.UUID(self.id))
        return self._email

    @strawberry.field(
        description="When the user last signed in (null: never); for ADMINs and the user."
    )
    def last_login_at(self, info: Info) -> datetime | None:
        """The time, after checking who asks."""
        if not self._is_session_owner:
            ensure_self_or_admin(info, uuid.UUID(self.id))
        return self._last_login_at

    @strawberry.field(description="The organisation the user belongs to.")
    async def organization(self, info: Info) -> Organization:
        """Loaded through the per-request organisation loader."""
        org = await info.context.loaders.identity.organization.load(self._organization_id)
        if org is None:  # a user row always has its organisation (FK, cascade)
            raise LookupError(f"organisation {self._organization_id} missing")
        return Organization.from_model(org)

    @classmethod
    def from_model(cls, user: models.User, is_session_owner: bool = False) -> "User":
        """From the ORM entity."""
        return cls(
            id=strawberry.ID(str(user.id)),
            role=Role(user.role.value),
            created_at=user.created_at,
            is_active=user.is_active,
            _email=user.email,
            _last_login_at=user.last_login_at,
            _organization_id=uuid.UUID(str(user.organization_id)),
            _is_session_owner=is_session_owner,
        )


@strawberry.type(description="Tokens for a signed-in user.")
class AuthPayload:
    """A new session."""

    access_token: str = strawberry.field(description="Send as `Authorization: Bearer ...`.")
    access_token_expires_at: datetime = strawberry.field(description="Refresh before this.")
    refresh_token: str | None = strawberry.field(
        description="Single use; exchange with refreshToken. Null when refreshTokenInCookie "
        "put it in the beacon_refresh cookie."
    )
    user: User = strawberry.field(description="The signed-in user.")

    @classmethod
    def from_session(cls, session: Session, *, token_in_cookie: bool = False) -> "AuthPayload":
        """From the domain session; the refresh token stays out of the body when a cookie
        carries it."""
        return cls(
            access_token=session.access_token,
            access_token_expires_at=session.access_token_expires_at,
            refresh_token=None if token_in_cookie else session.refresh_token,
            user=User.from_model(session.user, is_session_owner=True),
        )


@strawberry.type(description="Every session of the caller has ended.")
class LogoutSuccess:
    """Result of logout."""

    revoked_sessions: int = strawberry.field(description="Refresh tokens revoked.")


SignUpResult = Annotated[
    AuthPayload | ValidationError | EmailAlreadyRegistered | SignUpDisabled | TooManyAttempts,
    strawberry.union("SignUpResult", description="The new session, or why sign-up failed."),
]
LoginResult = Annotated[
    AuthPayload | InvalidCredentials | TooManyAttempts | ValidationError | PasswordSignInDisabled,
    strawberry.union("LoginResult", description="The new session, or why login failed."),
]
RefreshTokenResult = Annotated[
    AuthPayload | InvalidRefreshToken,
    strawberry.union(
        "RefreshTokenResult", description="The rotated session, or why the token was refused."
    ),
]
# One member today; a union keeps room for failures without breaking clients.
LogoutResult = Annotated[
    LogoutSuccess, strawberry.union("LogoutResult", description="What logout ended.")
]
UpdateUserResult = Annotated[
    User | NotFoundError | LastActiveAdmin,
    strawberry.union("UpdateUserResult", description="The changed user, or why not."),
]
DeactivateUserResult = Annotated[
    User | NotFoundError | LastActiveAdmin,
    strawberry.union("DeactivateUserResult", description="The deactivated user, or why not."),
]
ReactivateUserResult = Annotated[
    User | NotFoundError,
    strawberry.union("ReactivateUserResult", description="The reactivated user, or why not."),
]
CreateUserResult = Annotated[
    User | ValidationError | EmailAlreadyRegistered,
    strawberry.union("CreateUserResult", description="The created user, or why not."),
]
ChangePasswordResult = Annotated[
    AuthPayload | InvalidCredentials | ValidationError | TooManyAttempts,
    strawberry.union(
        "ChangePasswordResult", description="A fresh session, or why the change was refused."
    ),
]


def _in_cookie(also: str = "") -> bool:
    """The input flag that keeps a browser's refresh token out of reach of its scripts."""
    return strawberry.field(  # type: ignore[no-any-return]
        default=False,
        description="Browsers: put the refresh token in the httpOnly beacon_refresh cookie "
        "(Path=/graphql, SameSite=Strict) and leave AuthPayload.refreshToken null." + also,
    )


@strawberry.input(description="A new organisation and its first administrator.")
class SignUpInput:
    """signUp arguments."""

    organization_name: str = strawberry.field(description="1-200 characters.")
    email: str = strawberry.field(description="Becomes the ADMIN's sign-in address.")
    password: str = strawberry.field(description="12 characters at least, 72 bytes at most.")
    refresh_token_in_cookie: bool = _in_cookie()


@strawberry.input(description="Credentials.")
class LoginInput:
    """login arguments."""

    email: str = strawberry.field(description="Sign-in address (case does not matter).")
    password: str = strawberry.field(description="The account's password.")
    refresh_token_in_cookie: bool = _in_cookie()


@strawberry.input(description="A refresh token from a previous AuthPayload.")
class RefreshTokenInput:
    """refreshToken arguments."""

    refresh_token: str | None = strawberry.field(
        default=None,
        description="From the last AuthPayload; left out: the beacon_refresh cookie's.",
    )
    refresh_token_in_cookie: bool = _in_cookie(" A refresh that used the cookie always does.")


@strawberry.input(description="A user for the caller's organisation.")
class CreateUserInput:
    """createUser arguments."""

    email: str = strawberry.field(description="The new user's sign-in address.")
    password: str = strawberry.field(description="12 characters at least, 72 bytes at most.")
    role: Role = strawberry.field(default=Role.USER, description="USER unless stated.")


@strawberry.input(description="What changes about a user of the caller's organisation.")
class UpdateUserInput:
    """updateUser arguments."""

    id: strawberry.ID = strawberry.field(description="The user to change.")
    role: Role = strawberry.field(description="Their new role.")


@strawberry.input(description="Replace the caller's password.")
class ChangePasswordInput:
    """changePassword arguments."""

    current_password: str = strawberry.field(description="Proves it is really the caller.")
    new_password: str = strawberry.field(description="12 characters at least, 72 bytes at most.")
    refresh_token_in_cookie: bool = _in_cookie()
