"""Identity mutations; expected failures come back as union members."""

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import as_graphql_error, error_member
from api.identity import cookies
from api.identity import types as t
from api.permissions import admin_only, signed_in
from domain import errors
from domain.identity.models import Role
from domain.identity.sessions import Session

INPUT = strawberry.argument(description="The operation's input.")


def _payload(info: Info, session: Session, in_cookie: bool) -> t.AuthPayload:
    """The session for the client: its refresh token in the body, or in the cookie."""
    if in_cookie:
        cookies.keep_refresh_token(info, session.refresh_token)
    return t.AuthPayload.from_session(session, token_in_cookie=in_cookie)


@strawberry.type
class IdentityMutation:
    """Sign up, sign in, sessions and accounts."""

    @strawberry.mutation(
        description="Create an organisation and its first ADMIN, signed in (throttled per "
        "client address)."
    )
    async def sign_up(self, info: Info, input: Annotated[t.SignUpInput, INPUT]) -> t.SignUpResult:
        """Self-service sign-up (can be disabled)."""
        in_cookie = cookies.wants_cookie(info, input.refresh_token_in_cookie)
        try:
            session = await info.context.services.identity.sign_up(
                input.organization_name, input.email, input.password, info.context.client_address
            )
        except (
            errors.RateLimited,
            errors.InvalidInput,
            errors.EmailAlreadyRegistered,
            errors.SignUpDisabled,
        ) as error:
            return error_member(error)
        return _payload(info, session, in_cookie)

    @strawberry.mutation(description="Exchange email and password for tokens.")
    async def login(self, info: Info, input: Annotated[t.LoginInput, INPUT]) -> t.LoginResult:
        """Throttled per account and per client address."""
        in_cookie = cookies.wants_cookie(info, input.refresh_token_in_cookie)
        try:
            session = await info.context.services.identity.login(
                input.email, input.password, info.context.client_address
            )
        except (
            errors.InvalidCredentials,
            errors.RateLimited,
            errors.PasswordSignInDisabled,
        ) as error:
            return error_member(error)
        return _payload(info, session, in_cookie)

    @strawberry.mutation(
        description="Rotate a refresh token (from the input, or else the beacon_refresh "
        "cookie); a reused one revokes its family."
    )
    async def refresh_token(
        self, info: Info, input: Annotated[t.RefreshTokenInput, INPUT]
    ) -> t.RefreshTokenResult:
        """New tokens for a refresh token. A cookie that fails is cleared: the browser keeps
        no token that can never work again."""
        in_cookie = cookies.wants_cookie(info, input.refresh_token_in_cookie)
        token = input.refresh_token
        if token is None:
            token = cookies.sent_refresh_token(info)
            in_cookie = in_cookie or token is not None
        try:
            if token is None:
                raise errors.MissingToken(
                    "No refresh token: send refreshToken, or sign in with refreshTokenInCookie "
                    f"so that the {cookies.REFRESH_COOKIE} cookie carries it."
                )
            session = await info.context.services.identity.refresh(token)
        except (errors.InvalidToken, errors.RefreshTokenReused) as error:
            if in_cookie:
                cookies.forget_refresh_token(info)
            return error_member(error)
        return _payload(info, session, in_cookie)

    @strawberry.mutation(
        description="End every session of the caller (all refresh and access tokens) and "
        "clear the beacon_refresh cookie.",
        extensions=signed_in(),
    )
    async def logout(self, info: Info) -> t.LogoutResult:
        """Sign out everywhere."""
        count = await info.context.services.identity.logout(info.context.require_principal())
        cookies.forget_refresh_token(info)
        return t.LogoutSuccess(revoked_sessions=count)

    @strawberry.mutation(
        description="Change the caller's password; every other session ends (throttled per "
        "account).",
        extensions=signed_in(),
    )
    async def change_password(
        self, info: Info, input: Annotated[t.ChangePasswordInput, INPUT]
    ) -> t.ChangePasswordResult:
        """Needs the current password."""
        in_cookie = cookies.wants_cookie(info, input.refresh_token_in_cookie)
        try:
            session = await info.context.services.identity.change_password(
                info.context.require_principal(), input.current_password, input.new_password
            )
        except (errors.InvalidCredentials, errors.RateLimited, errors.InvalidInput) as error:
            return error_member(error)
        return _payload(info, session, in_cookie)

    @strawberry.mutation(
        description="Add a user to the caller's organisation.", extensions=admin_only()
    )
    async def create_user(
        self, info: Info, input: Annotated[t.CreateUserInput, INPUT]
    ) -> t.CreateUserResult:
        """ADMIN only."""
        try:
            user = await info.context.services.identity.create_user(
                info.context.require_principal(),
                input.email,
                input.password,
                Role[input.role.name],
            )
        except (errors.InvalidInput, errors.EmailAlreadyRegistered) as error:
            return error_member(error)
        except errors.PermissionDenied as error:
            raise as_graphql_error(error) from error
        return t.User.from_model(user)

    @strawberry.mutation(
        description="Change the role of a user of the caller's organisation (the last active "
        "ADMIN cannot be demoted).",
        extensions=admin_only(),
    )
    async def update_user(
        self, info: Info, input: Annotated[t.UpdateUserInput, INPUT]
    ) -> t.UpdateUserResult:
        """ADMIN only; applies to the user's next request."""
        identity = info.context.services.identity
        principal = info.context.require_principal()
        try:
            user = await identity.update_user(principal, str(input.id), Role[input.role.name])
        except (errors.NotFound, errors.LastActiveAdmin) as error:
            return error_member(error)
        return t.User.from_model(user)

    @strawberry.mutation(
        description="Offboard a user: they cannot sign in, and every token and open socket of "
        "theirs stops at once (the last active ADMIN cannot be deactivated).",
        extensions=admin_only(),
    )
    async def deactivate_user(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="User.")]
    ) -> t.DeactivateUserResult:
        """ADMIN only."""
        identity = info.context.services.identity
        try:
            user = await identity.deactivate_user(info.context.require_principal(), str(id))
        except (errors.NotFound, errors.LastActiveAdmin) as error:
            return error_member(error)
        return t.User.from_model(user)

    @strawberry.mutation(
        description="Let a deactivated user sign in again.", extensions=admin_only()
    )
    async def reactivate_user(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="User.")]
    ) -> t.ReactivateUserResult:
        """ADMIN only."""
        identity = info.context.services.identity
        try:
            user = await identity.reactivate_user(info.context.require_principal(), str(id))
        except errors.NotFound as error:
            return error_member(error)
        return t.User.from_model(user)
