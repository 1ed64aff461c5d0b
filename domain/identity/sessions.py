"""Sessions: refresh-token families, rotation with reuse detection, and access tokens that a
bump of the user's `token_version` ends at once."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain.audit import log as audit
from domain.errors import AccountDeactivated, InvalidToken, RefreshTokenReused
from domain.identity.models import RefreshToken, User
from domain.identity.tokens import TokenCodec, hash_refresh_token, new_refresh_token
from domain.identity.trail import record_on_user
from domain.notifications import Notifications


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


class Sessions:
    """Starts, rotates, verifies and ends the sessions of every organisation's users."""

    def __init__(self, tokens: TokenCodec, refresh_ttl: timedelta, events: Notifications) -> None:
        self._tokens = tokens
        self._refresh_ttl = refresh_ttl
        self._events = events

    async def start(self, user: User, family: uuid.UUID | None = None) -> Session:
        """A new session for `user`: a refresh token (of a new family, or of `family` when
        rotating) and an access token stamped with the user's `token_version`."""
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

    async def end_all(self, user_id: uuid.UUID) -> int:
        """Revoke every refresh token of the user and invalidate their access tokens; how many
        refresh tokens were still live."""
        revoked = await self._revoke(RefreshToken.filter(user_id=user_id), datetime.now(UTC))
        await User.filter(id=user_id).update(token_version=F("token_version") + 1)
        # Open websockets check their token only now and then: this tells every API process
        # to close this user's sockets at once.
        await self._events.publish(user_id)
        return revoked

    async def _revoke_family(self, token: RefreshToken, now: datetime) -> None:
        """A used refresh token came back: someone holds a copy. Revoke its family in one
        statement, and bump the user's `token_version` so that the family's access tokens die
        too. Access tokens do not name their family, so the bump also ends the user's other
        sessions' access tokens; those sessions' refresh tokens stay valid and get them a new
        pair, while a stolen-token signal costs the owner no more than that."""
        await self._revoke(RefreshToken.filter(family=token.family), now)
        await User.filter(id=token.user_id).update(token_version=F("token_version") + 1)

    async def rotate(self, raw_token: str) -> Session:
        """A new session for a refresh token, used up by it; presenting a used one revokes its
        whole family and every access token of its user (see `_revoke_family`)."""
        now = datetime.now(UTC)
        token = await RefreshToken.get_or_none(token_hash=hash_refresh_token(raw_token))
        if token is None:
            raise InvalidToken("The refresh token is not valid.")
        # Before the revocation check: deactivation revokes every token, and the holder of
        # one of them (the user themself) is told why their session ended. An unknown token
        # learns nothing.
        if not await User.filter(id=token.user_id, is_active=True).exists():
            raise AccountDeactivated()
        if token.revoked_at is not None:
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
                if not user.is_active:  # deactivated since the check above
                    raise AccountDeactivated()
                # Read inside the transaction: a loser bumps `token_version` only after this
                # commits, so the winner's access token carries the version that the bump ends.
                return await self.start(user, family=token.family)
            await self._revoke_family(token, now)
        # After the commit: open websockets of the user close, and the trail says why.
        await self._events.publish(token.user_id)
        user = await User.get(id=token.user_id)
        await record_on_user(
            user.organization_id,
            audit.TOKEN_REUSE_DETECTED,
            user.id,
            details={"family": str(token.family)},
        )
        raise RefreshTokenReused()

    async def authenticate(self, access_token: str) -> Authentication:
        """The user behind a bearer token, checked against the account's current state."""
        claims = self._tokens.decode_access(access_token)
        user = await User.get_or_none(id=claims.user_id)
        if user is None or not user.is_active or user.token_version != claims.token_version:
            raise InvalidToken("The access token has been revoked.")
        return Authentication(user=user, expires_at=claims.expires_at)

    @staticmethod
    async def _revoke(tokens: QuerySet[RefreshToken], now: datetime) -> int:
        return await tokens.filter(revoked_at=None).update(revoked_at=now)
