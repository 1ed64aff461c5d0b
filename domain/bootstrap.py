"""The composition root: every process builds its services here, once."""

from dataclasses import dataclass
from datetime import timedelta

from domain.database import Database
from domain.identity.passwords import PasswordHasher
from domain.identity.services import IdentityService
from domain.identity.throttling import LoginThrottle
from domain.identity.tokens import TokenCodec
from domain.settings import Settings


@dataclass(frozen=True)
class Services:
    """Everything the edges (API, workers, CLI) call into."""

    settings: Settings
    database: Database
    identity: IdentityService
    login_throttle: LoginThrottle

    async def start(self, *, process_wide: bool = True) -> None:
        """Open connections (see `Database.connect` for `process_wide`)."""
        await self.database.connect(process_wide=process_wide)

    async def close(self) -> None:
        """Close every connection the services opened."""
        await self.login_throttle.close()
        await self.database.close()


def build_services(settings: Settings) -> Services:
    """Wire adapters into services for one process; connects nothing yet."""
    tokens = TokenCodec(
        secret=settings.secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
    )
    throttle = LoginThrottle(
        settings.login_rate_per_account, settings.login_rate_per_address, settings.redis_url
    )
    identity = IdentityService(
        hasher=PasswordHasher(settings.bcrypt_rounds),
        tokens=tokens,
        throttle=throttle,
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
        signup_enabled=settings.signup_enabled,
    )
    return Services(
        settings=settings,
        database=Database(settings.effective_database_url),
        identity=identity,
        login_throttle=throttle,
    )
