"""Identity use cases: sign up, log in, rotate and revoke tokens, manage users."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidInput,
    InvalidToken,
    PermissionDenied,
    RefreshTokenReused,
    SignUpDisabled,
)
from domain.identity.emails import normalize_email
from domain.identity.models import Organization, RefreshToken, Role, User
from domain.identity.passwords import PasswordHasher, check_password_policy
from domain.identity.principal import Principal
from domain.identity.throttling import LoginThrottle
from domain.identity.tokens import TokenCodec, hash_refresh_token, new_refresh_token
from domain.pagination import Page, paginate


@dataclass(frozen=True)
class Authentication:
    """A verified bearer: the user as stored now, and when their token stops working."""

    user: User
    expires_at: datetime


@dataclass(frozen=True)
class Session:
    """What a successful sign-in hands back."""

    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    user: User


class IdentityService:
    """Accounts and sessions of every organisation."""

    def __init__(
        self,
        hasher: PasswordHasher,
        tokens: TokenCodec,
        throttle: LoginThrottle,
        refresh_ttl: timedelta,
        signup_enabled: bool,
    ) -> None:
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle
        self._refresh_ttl = refresh_ttl
        self._signup_enabled = signup_enabled

    async def sign_up(
        self, organization_name: str, email: str, password: str, address: str | None = None
    ) -> Session:
        """Create an organisation and its first ADMIN, and sign them in (throttled per client
        address: each sign-up costs a bcrypt hash and an organisation)."""
        if not self._signup_enabled:
            raise SignUpDisabled()
        await self._throttle.check_sign_up(address)
        return await self._start_session(
            await self.create_organization(organization_name, email, password)
        )

    async def create_organization(self, organization_name: str, email: str, password: str) -> User:
        """An organisation and its first ADMIN (also for operators when sign-up is off)."""
        name = organization_name.strip()
        if not 1 <= len(name) <= 200:
            raise InvalidInput(
                "organizationName", "Give the organisation a name of 1-200 characters."
            )
        return await self._create_account(email, password, Role.ADMIN, organization_name=name)

    async def create_user(self, actor: Principal, email: str, password: str, role: Role) -> User:
        """An ADMIN adds a user to their own organisation."""
        if not actor.is_admin:
            raise PermissionDenied("Only administrators can create users.")
        return await self._create_account(
            email, password, role, organization_id=actor.organization_id
        )

    async def login(self, email: str, password: str, address: str | None) -> Session:
        """Check a password; unknown emails and wrong passwords answer alike, in similar time."""
        try:
            normalized = normalize_email(email)
        except InvalidInput:
            normalized = email.strip().lower()
        await self._throttle.check(normalized, address)
        user = await User.get_or_none(email=normalized)
        usable = user is not None and user.is_active
        matches = await self._hasher.verify(
            password, user.password_hash if usable and user else None
        )
        if not (usable and matches and user):
            raise InvalidCredentials()
        await self._throttle.forget(normalized)
        return await self._start_session(user)

    async def refresh(self, raw_token: str) -> Session:
        """Rotate a refresh token; presenting a used one revokes its whole family and every
        access token of its user (see `_revoke_family`)."""
        now = datetime.now(UTC)
        token = await RefreshToken.get_or_none(token_hash=hash_refresh_token(raw_token))
        if token is None or token.revoked_at is not None:
            raise InvalidToken("The refresh token is not valid.")
        async with in_transaction():
            # Marking the old token used and storing its successor commit together, and the
            # conditional update is the single winner when the same token races itself. A
            # loser's update waits for the winner's commit (PostgreSQL's row lock; SQLite's
            # one writer), matches nothing, and its family revocation then sees the winner's
            # committed successor: nothing the race handed out survives it.
            claimed = await RefreshToken.filter(id=token.id, used_at=None, revoked_at=None).update(
                used_at=now
            )
            if claimed:
                if token.expires_at <= now:
                    raise InvalidToken("The refresh token has expired.")
                user = await User.get(id=token.user_id)
                if not user.is_active:
                    raise InvalidToken("The account is disabled.")
                # Read inside the transaction: a loser bumps `token_version` only after this
                # commits, so the winner's access token carries the version that the bump ends.
                return await self._start_session(user, family=token.family)
            await self._revoke_family(token, now)
        raise RefreshTokenReused()

    async def logout(self, actor: Principal) -> int:
        """End every session of the caller: refresh tokens revoked, access tokens invalidated."""
        return await self._end_all_sessions(actor.user_id)

    async def change_password(self, actor: Principal, current: str, new: str) -> Session:
        """Replace the caller's password, end every other session and start a fresh one.

        Throttled per account: a stolen access token must not become a way to guess the
        current password."""
        await self._throttle.check_password_change(str(actor.user_id))
        user = await User.get(id=actor.user_id)
        if not await self._hasher.verify(current, user.password_hash):
            raise InvalidCredentials()
        check_password_policy(new, field="newPassword")
        user.password_hash = await self._hasher.hash(new)
        await user.save(update_fields=["password_hash"])
        await self._end_all_sessions(user.id)
        return await self._start_session(await User.get(id=user.id))

    async def authenticate(self, access_token: str) -> Authentication:
        """The user behind a bearer token, checked against the account's current state."""
        claims = self._tokens.decode_access(access_token)
        user = await User.get_or_none(id=claims.user_id)
        if user is None or not user.is_active or user.token_version != claims.token_version:
            raise InvalidToken("The access token has been revoked.")
        return Authentication(user=user, expires_at=claims.expires_at)

    async def get_user(self, actor: Principal, user_id: str) -> User | None:
        """A user of the caller's organisation; other organisations' ids look missing."""
        try:
            wanted = uuid.UUID(user_id)
        except ValueError:
            return None
        return await User.get_or_none(id=wanted, organization_id=actor.organization_id)

    async def list_users(
        self, actor: Principal, first: int | None, after: str | None
    ) -> Page[User]:
        """The caller's organisation's users, oldest first."""
        if not actor.is_admin:
            raise PermissionDenied("Only administrators can list users.")
        return await paginate(User.filter(organization_id=actor.organization_id), first, after)

    async def principal_for(self, email: str) -> Principal | None:
        """The principal of an active account (for operators' tools acting as someone)."""
        user = await User.get_or_none(email=normalize_email(email), is_active=True)
        return Principal.of(user) if user else None

    async def users_by_id(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, User]:
        """Users by id in one query (for data loaders)."""
        return {user.id: user for user in await User.filter(id__in=ids)}

    async def organizations_by_id(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Organization]:
        """Organisations by id in one query (for data loaders)."""
        return {org.id: org for org in await Organization.filter(id__in=ids)}

    async def _create_account(
        self,
        email: str,
        password: str,
        role: Role,
        *,
        organization_name: str | None = None,
        organization_id: uuid.UUID | None = None,
    ) -> User:
        normalized = normalize_email(email)
        password_hash = await self._hasher.hash(password)
        if await User.exists(email=normalized):
            raise EmailAlreadyRegistered()
        try:
            async with in_transaction():
                if organization_name is not None:
                    organization_id = (await Organization.create(name=organization_name)).id
                return await User.create(
                    organization_id=organization_id,
                    email=normalized,
                    role=role,
                    password_hash=password_hash,
                )
        except IntegrityError as error:  # lost a race against the same email
            raise EmailAlreadyRegistered() from error

    async def _start_session(self, user: User, family: uuid.UUID | None = None) -> Session:
        raw, digest = new_refresh_token()
        await RefreshToken.create(
            user_id=user.id,
            token_hash=digest,
            family=family or uuid.uuid4(),
            expires_at=datetime.now(UTC) + self._refresh_ttl,
        )
        access, expires = self._tokens.issue_access(
            user.id, user.organization_id, user.role, user.token_version
        )
        return Session(access, expires, raw, user)

    async def _end_all_sessions(self, user_id: uuid.UUID) -> int:
        revoked = await self._revoke(RefreshToken.filter(user_id=user_id), datetime.now(UTC))
        await User.filter(id=user_id).update(token_version=F("token_version") + 1)
        return revoked

    async def _revoke_family(self, token: RefreshToken, now: datetime) -> None:
        """A used refresh token came back: someone holds a copy. Revoke its family in one
        statement, and bump the user's `token_version` so that the family's access tokens die
        too. Access tokens do not name their family, so the bump also ends the user's other
        sessions' access tokens; those sessions' refresh tokens stay valid and get them a new
        pair, while a stolen-token signal costs the owner no more than that."""
        await self._revoke(RefreshToken.filter(family=token.family), now)
        await User.filter(id=token.user_id).update(token_version=F("token_version") + 1)

    @staticmethod
    async def _revoke(tokens: QuerySet[RefreshToken], now: datetime) -> int:
        return await tokens.filter(revoked_at=None).update(revoked_at=now)
