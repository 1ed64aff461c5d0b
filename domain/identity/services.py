"""Identity use cases: sign up, log in, rotate and revoke tokens, manage users."""

import asyncio
import logging
import secrets
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.audit import log as audit
from domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidInput,
    LastActiveAdmin,
    NotFound,
    PasswordSignInDisabled,
    PermissionDenied,
    SignUpDisabled,
)
from domain.identity.emails import normalize_email
from domain.identity.locks import lock_organization
from domain.identity.models import OidcProvider, Organization, Role, User
from domain.identity.passwords import PasswordHasher, check_password_policy
from domain.identity.principal import Principal
from domain.identity.sessions import Authentication, Session, Sessions
from domain.identity.throttling import LoginThrottle
from domain.identity.tokens import TokenCodec
from domain.identity.trail import record_on_user
from domain.notifications import Notifications
from domain.pagination import Page, paginate

log = logging.getLogger(__name__)


class IdentityService:
    """Accounts and sessions of every organisation."""

    def __init__(
        self,
        hasher: PasswordHasher,
        tokens: TokenCodec,
        throttle: LoginThrottle,
        refresh_ttl: timedelta,
        signup_enabled: bool,
        session_events: Notifications,
    ) -> None:
        self._hasher = hasher
        self._throttle = throttle
        self._signup_enabled = signup_enabled
        self._sessions = Sessions(tokens, refresh_ttl, session_events)
        self._pending: set[asyncio.Task[None]] = set()  # held until done (asyncio keeps weak refs)

    @property
    def sign_up_enabled(self) -> bool:
        """Whether anyone may create an organisation (the sign-in page offers it then)."""
        return self._signup_enabled

    async def sign_up(
        self, organization_name: str, email: str, password: str, address: str | None = None
    ) -> Session:
        """Create an organisation and its first ADMIN, and sign them in (throttled per client
        address: each sign-up costs a bcrypt hash and an organisation)."""
        if not self._signup_enabled:
            raise SignUpDisabled()
        await self._throttle.check_sign_up(address)
        user = await self.create_organization(organization_name, email, password)
        # Signing up signs the new ADMIN in: the users table should not say "never".
        user.last_login_at = datetime.now(UTC)
        await user.save(update_fields=["last_login_at"])
        return await self._sessions.start(user)

    async def create_organization(self, organization_name: str, email: str, password: str) -> User:
        """An organisation and its first ADMIN (also for operators when sign-up is off)."""
        name = organization_name.strip()
        if not 1 <= len(name) <= 200:
            raise InvalidInput(
                "organizationName", "Give the organisation a name of 1-200 characters."
            )
        user = await self._create_account(email, password, Role.ADMIN, organization_name=name)
        await record_on_user(
            user.organization_id,
            audit.USER_CREATED,
            user.id,
            actor_id=user.id,
            details={"role": user.role.value, "organizationCreated": True},
        )
        return user

    async def create_user(self, actor: Principal, email: str, password: str, role: Role) -> User:
        """An ADMIN adds a user to their own organisation."""
        if not actor.is_admin:
            raise PermissionDenied("Only administrators can create users.")
        user = await self._create_account(
            email, password, role, organization_id=actor.organization_id
        )
        await record_on_user(
            actor.organization_id,
            audit.USER_CREATED,
            user.id,
            actor_id=actor.user_id,
            details={"role": role.value},
        )
        return user

    async def login(self, email: str, password: str, address: str | None) -> Session:
        """Check a password; unknown emails and wrong passwords answer alike, in similar time."""
        try:
            key, valid = normalize_email(email), True
        except InvalidInput:  # no account has it: nothing to look up, but still throttled
            key, valid = email.strip().lower(), False
        await self._throttle.check(key, address)
        user = await User.get_or_none(email=key) if valid else None
        usable = user is not None and user.is_active
        matches = await self._hasher.verify(
            password, user.password_hash if usable and user else None
        )
        if not (usable and matches and user):
            if user is not None:  # an unknown address belongs to no organisation's trail
                # Recorded beside the answer, not before it: waiting for the write would make
                # a known address answer slower than an unknown one, telling them apart.
                self._beside_the_answer(
                    record_on_user(
                        user.organization_id,
                        audit.USER_LOGIN_FAILED,
                        user.id,
                        details={"reason": "inactive" if not user.is_active else "password"},
                    )
                )
            raise InvalidCredentials()
        # Only a matching password learns this: nobody else finds out who has an account.
        await self._refuse_if_passwords_are_off(user)
        await self._throttle.forget(key)
        return await self.begin_session(user)

    async def begin_session(self, user: User, details: dict[str, Any] | None = None) -> Session:
        """Sign in a user whose identity was established (by password, or by an OpenID
        provider, which `details` names): the sign-in is recorded, then a session starts."""
        user.last_login_at = datetime.now(UTC)
        await user.save(update_fields=["last_login_at"])
        await record_on_user(
            user.organization_id, audit.USER_LOGIN, user.id, actor_id=user.id, details=details
        )
        return await self._sessions.start(user)

    async def create_federated_user(
        self, organization_id: uuid.UUID, email: str, role: Role, method: str
    ) -> User:
        """A user whom an identity provider vouches for, created at their first sign-in. They
        get no usable password (the hash of a random one nobody knows): `login` refuses them
        as it does an unknown address. An account made meanwhile by a racing sign-in is
        returned as it is."""
        password_hash = await self._hasher.hash(secrets.token_urlsafe(32))
        try:
            user = await User.create(
                organization_id=organization_id,
                email=normalize_email(email),
                role=role,
                password_hash=password_hash,
            )
        except IntegrityError:
            return await User.get(email=normalize_email(email))
        await record_on_user(
            organization_id,
            audit.USER_CREATED,
            user.id,
            actor_id=user.id,
            details={"role": role.value, "method": method},
        )
        return user

    async def _refuse_if_passwords_are_off(self, user: User) -> None:
        organization = await Organization.get(id=user.organization_id)
        if organization.password_sign_in:
            return
        provider = await OidcProvider.get_or_none(organization_id=organization.id)
        await record_on_user(
            user.organization_id,
            audit.USER_LOGIN_FAILED,
            user.id,
            details={"reason": "password_sign_in_disabled"},
        )
        raise PasswordSignInDisabled(provider.name if provider else "its identity provider")

    async def refresh(self, raw_token: str) -> Session:
        """Rotate a refresh token; presenting a used one revokes its whole family and every
        access token of its user (see `Sessions.rotate`)."""
        return await self._sessions.rotate(raw_token)

    async def logout(self, actor: Principal) -> int:
        """End every session of the caller: refresh tokens revoked, access tokens invalidated."""
        revoked = await self._sessions.end_all(actor.user_id)
        await record_on_user(
            actor.organization_id, audit.USER_LOGGED_OUT, actor.user_id, actor_id=actor.user_id
        )
        return revoked

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
        await self._sessions.end_all(user.id)
        await record_on_user(
            actor.organization_id,
            audit.USER_PASSWORD_CHANGED,
            actor.user_id,
            actor_id=actor.user_id,
        )
        return await self._sessions.start(await User.get(id=user.id))

    async def authenticate(self, access_token: str) -> Authentication:
        """The user behind a bearer token, checked against the account's current state."""
        return await self._sessions.authenticate(access_token)

    async def update_user(self, actor: Principal, user_id: str, role: Role) -> User:
        """An ADMIN changes a member's role; the next request of that user runs with it."""
        async with in_transaction():
            user = await self._member_for_change(actor, user_id)
            if user.role is Role.ADMIN and role is not Role.ADMIN and user.is_active:
                await _keep_an_active_admin(user)
            previous = user.role
            user.role = role
            await user.save(update_fields=["role"])
        await record_on_user(
            actor.organization_id,
            audit.USER_UPDATED,
            user.id,
            actor_id=actor.user_id,
            details={"role": role.value, "previousRole": previous.value},
        )
        return user

    async def deactivate_user(self, actor: Principal, user_id: str) -> User:
        """An ADMIN offboards a member: they cannot sign in, and every token and open socket
        of theirs stops at once."""
        async with in_transaction():
            user = await self._member_for_change(actor, user_id)
            if user.role is Role.ADMIN and user.is_active:
                await _keep_an_active_admin(user)
            user.is_active = False
            await user.save(update_fields=["is_active"])
        await self._sessions.end_all(user.id)
        await record_on_user(
            actor.organization_id, audit.USER_DEACTIVATED, user.id, actor_id=actor.user_id
        )
        return await User.get(id=user.id)

    async def reactivate_user(self, actor: Principal, user_id: str) -> User:
        """An ADMIN lets a deactivated member sign in again (with a new session)."""
        async with in_transaction():
            user = await self._member_for_change(actor, user_id)
            user.is_active = True
            await user.save(update_fields=["is_active"])
        await record_on_user(
            actor.organization_id, audit.USER_REACTIVATED, user.id, actor_id=actor.user_id
        )
        return user

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

    def _beside_the_answer(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._settled)

    def _settled(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("identity: a background write failed", exc_info=task.exception())

    async def _member_for_change(self, actor: Principal, user_id: str) -> User:
        """The member to change, inside the caller's transaction, with the organisation's row
        locked: changes of one organisation's users run one at a time, so two ADMINs demoting
        each other cannot both succeed (SQLite runs every write transaction alone anyway)."""
        if not actor.is_admin:
            raise PermissionDenied("Only administrators can change users.")
        await lock_organization(actor.organization_id)
        user = await self.get_user(actor, user_id)
        if user is None:
            raise NotFound("No such user.")
        return user

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


async def _keep_an_active_admin(leaving: User) -> None:
    """Refuse a change that would leave `leaving`'s organisation without an active ADMIN."""
    others = User.filter(
        organization_id=leaving.organization_id, role=Role.ADMIN, is_active=True
    ).exclude(id=leaving.id)
    if not await others.exists():
        raise LastActiveAdmin()
