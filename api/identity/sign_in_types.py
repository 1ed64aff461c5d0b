"""GraphQL types of how people sign in: the methods an email's domain offers, and the OIDC
settings ADMINs manage (the client secret is write-only: no type has a field for it)."""

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

import strawberry

from api.errors import DomainTaken, OidcDiscoveryFailed, OidcNotVerified, ValidationError
from domain.identity import oidc as sign_in
from domain.identity.models import OidcProvider
from domain.identity.oidc_configuration import OidcConfiguration
from domain.settings import Settings

START_PATH = "/auth/oidc/start"
CALLBACK_PATH = "/auth/oidc/callback"


def start_url(settings: Settings, email: str) -> str:
    """Relative to the API's origin, or absolute under BEACON_PUBLIC_URL (as download links)."""
    query = urlencode({"email": email.strip()})
    return (settings.public_url or "").rstrip("/") + f"{START_PATH}?{query}"


@strawberry.type(description="An organisation's identity provider, as the sign-in page shows it.")
class SignInProvider:
    """The button "Sign in with <name>"."""

    name: str = strawberry.field(description="The provider's display name.")
    start_url: str = strawberry.field(
        description="Navigate the browser here (GET /auth/oidc/start?email=...): it goes on to "
        "the provider and comes back signed in, or to /?signInError=CODE."
    )


@strawberry.type(description="How a person with this email may sign in.")
class SignInMethods:
    """Answered from the email's domain alone: it never tells whether an account exists."""

    password: bool = strawberry.field(description="Whether `login` with a password may work.")
    provider: SignInProvider | None = strawberry.field(
        description="The organisation's identity provider for this domain; null: none."
    )

    @classmethod
    def of(cls, methods: sign_in.SignInMethods, settings: Settings, email: str) -> "SignInMethods":
        """From the domain's answer."""
        name = methods.provider_name
        return cls(
            password=methods.password,
            provider=None
            if name is None
            else SignInProvider(name=name, start_url=start_url(settings, email)),
        )


@strawberry.type(description="An organisation's OpenID Connect provider (the secret stays out).")
class OidcSettings:
    """The stored configuration, the client secret reduced to whether there is one."""

    name: str = strawberry.field(description='Shown as "Sign in with <name>".')
    issuer: str = strawberry.field(description="The provider's issuer URL.")
    client_id: str = strawberry.field(description="Beacon's client id at the provider.")
    client_secret_set: bool = strawberry.field(
        description="Whether a client secret is stored (encrypted under the server's secret "
        "key); it is never readable."
    )
    client_secret_env: str | None = strawberry.field(
        description="The environment variable the secret is read from instead; null: stored."
    )
    allowed_domains: list[str] = strawberry.field(
        description="Email domains that sign in here (lower case); one organisation each."
    )
    groups_claim: str = strawberry.field(description="The ID-token claim listing groups.")
    admin_groups: list[str] = strawberry.field(
        description="Groups whose members become ADMIN at their first sign-in; the role is set "
        "only when the user is created: ADMINs manage roles in Beacon afterwards."
    )
    verified_at: datetime | None = strawberry.field(
        description="The organisation's first successful OIDC sign-in; null: none yet "
        "(password sign-in cannot be turned off before)."
    )
    updated_at: datetime = strawberry.field(description="When the settings last changed.")

    @classmethod
    def from_model(cls, provider: OidcProvider) -> "OidcSettings":
        """From the ORM entity."""
        return cls(
            name=provider.name,
            issuer=provider.issuer,
            client_id=provider.client_id,
            client_secret_set=provider.client_secret_encrypted is not None,
            client_secret_env=provider.client_secret_env,
            allowed_domains=list(provider.allowed_domains),
            groups_claim=provider.groups_claim,
            admin_groups=list(provider.admin_groups),
            verified_at=provider.verified_at,
            updated_at=provider.updated_at,
        )


@strawberry.type(description="How the organisation's members sign in.")
class SignInSettings:
    """Passwords, the identity provider, or both."""

    password_sign_in: bool = strawberry.field(
        description="Whether `login` with a password works for the organisation's members."
    )
    oidc: OidcSettings | None = strawberry.field(
        description="The OpenID Connect provider; null: none configured."
    )

    @classmethod
    def of(cls, settings: sign_in.SignInSettings) -> "SignInSettings":
        """From the domain's settings."""
        provider = settings.provider
        return cls(
            password_sign_in=settings.password_sign_in,
            oidc=None if provider is None else OidcSettings.from_model(provider),
        )


@strawberry.input(description="The organisation's OpenID Connect provider.")
class ConfigureOidcInput:
    """configureOidc arguments."""

    name: str = strawberry.field(description='Display name: "Sign in with <name>".')
    issuer: str = strawberry.field(
        description="Issuer URL (https; http only on a loopback address); its discovery "
        "document must name exactly this issuer."
    )
    client_id: str = strawberry.field(description="Beacon's client id at the provider.")
    client_secret: str | None = strawberry.field(
        default=None,
        description="Write-only; stored encrypted. Null keeps the stored one (refused when "
        "none is stored and clientSecretEnv is null).",
    )
    client_secret_env: str | None = strawberry.field(
        default=None,
        description="Instead of clientSecret: the name of an environment variable of the server "
        "holding it; setting it forgets a stored secret.",
    )
    allowed_domains: list[str] = strawberry.field(
        description="Email domains that sign in with this provider (at least one)."
    )
    groups_claim: str = strawberry.field(
        default="groups", description="The ID-token claim listing the person's groups."
    )
    admin_groups: list[str] = strawberry.field(
        default_factory=list,
        description="Groups whose members become ADMIN when their user is created.",
    )

    def to_domain(self) -> OidcConfiguration:
        """The domain's configuration."""
        return OidcConfiguration(
            name=self.name,
            issuer=self.issuer,
            client_id=self.client_id,
            client_secret=self.client_secret,
            client_secret_env=self.client_secret_env,
            allowed_domains=self.allowed_domains,
            groups_claim=self.groups_claim,
            admin_groups=self.admin_groups,
        )


ConfigureOidcResult = Annotated[
    SignInSettings | ValidationError | OidcDiscoveryFailed | DomainTaken,
    strawberry.union("ConfigureOidcResult", description="The new settings, or why not."),
]
# One member today; a union keeps room for failures without breaking clients.
RemoveOidcResult = Annotated[
    SignInSettings,
    strawberry.union("RemoveOidcResult", description="The settings without a provider."),
]
SetPasswordSignInResult = Annotated[
    SignInSettings | OidcNotVerified,
    strawberry.union("SetPasswordSignInResult", description="The new settings, or why not."),
]
