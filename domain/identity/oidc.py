"""Signing in with an organisation's OpenID Connect provider, and its ADMINs' settings for it.

The person types their email first: its domain names the organisation whose provider lists it
(`sign_in_methods`, which says nothing about whether the person has an account). `start` sends
the browser to the provider with a fresh state, nonce and PKCE verifier, sealed in the value the
edge keeps in a short-lived cookie; `finish` checks them against the provider's answer,
exchanges the code, verifies the ID token, and signs the person in as `login` does, creating
their user at their first sign-in (just in time).
"""

import hmac
import json
import logging
import os
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from domain.audit import log as audit
from domain.errors import (
    DomainTaken,
    InvalidInput,
    OidcDiscoveryFailed,
    OidcFailure,
    OidcNotVerified,
    OidcSignInFailed,
    PermissionDenied,
)
from domain.identity.emails import normalize_email
from domain.identity.locks import lock_organization
from domain.identity.models import OidcProvider, Organization, Role, User
from domain.identity.oidc_client import (
    AuthorizationRequest,
    Client,
    OidcClient,
    verify_id_token,
)
from domain.identity.oidc_configuration import (
    MAX_NAME_CHARS,
    OidcConfiguration,
    valid_domains,
    valid_env_name,
    valid_groups,
    valid_issuer,
    valid_text,
)
from domain.identity.principal import Principal
from domain.identity.sealing import CLIENT_SECRET, SIGN_IN_STATE, Sealer, Unsealable
from domain.identity.services import IdentityService
from domain.identity.sessions import Session

log = logging.getLogger(__name__)

ATTEMPT_SECONDS = 600  # how long a sign-in may take at the provider


@dataclass(frozen=True)
class SignInSettings:
    """How an organisation's members sign in."""

    password_sign_in: bool
    provider: OidcProvider | None


@dataclass(frozen=True)
class SignInMethods:
    """What the sign-in page offers for an email's domain."""

    password: bool
    provider_name: str | None


@dataclass(frozen=True)
class StartedSignIn:
    """Where to send the browser, and the sealed attempt it must bring back."""

    url: str
    sealed_attempt: str


@dataclass(frozen=True)
class Callback:
    """The provider's redirect back: `code` and `state`, or `error`."""

    code: str | None
    state: str | None
    error: str | None


def _failed(failure: OidcFailure, detail: str) -> OidcSignInFailed:
    return OidcSignInFailed(failure, detail)


def domain_of(email: str) -> str | None:
    """The lower-cased domain of a valid address; None for anything else."""
    try:
        return normalize_email(email).rsplit("@", 1)[1]
    except InvalidInput:
        return None


async def provider_for_domain(domain: str) -> OidcProvider | None:
    """The provider whose allowed domains include `domain` (one at most: `configure` sees to
    it). Providers are one per organisation that configured one, so reading them all is cheap."""
    for provider in await OidcProvider.all():
        if domain in provider.allowed_domains:
            return provider
    return None


class OidcService:
    """OIDC sign-in and its settings, for every organisation."""

    def __init__(
        self,
        identity: IdentityService,
        secret: str,
        client: OidcClient,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self._identity = identity
        self._client = client
        self._secrets = Sealer(secret, CLIENT_SECRET)
        self._attempts = Sealer(secret, SIGN_IN_STATE)
        self._environ = environ

    async def sign_in_methods(self, email: str) -> SignInMethods:
        """From the email's domain alone: the same answer for every address of a domain."""
        domain = domain_of(email)
        provider = await provider_for_domain(domain) if domain else None
        if provider is None:
            return SignInMethods(password=True, provider_name=None)
        organization = await Organization.get(id=provider.organization_id)
        return SignInMethods(password=organization.password_sign_in, provider_name=provider.name)

    async def settings(self, actor: Principal) -> SignInSettings:
        """The caller's organisation's sign-in settings (ADMINs)."""
        _require_admin(actor)
        return await _settings_of(actor.organization_id)

    async def configure(self, actor: Principal, change: OidcConfiguration) -> SignInSettings:
        """Set the organisation's provider after checking its discovery document. A new issuer
        or client id must prove itself again: it is unverified, and passwords come back on."""
        _require_admin(actor)
        name = valid_text(change.name, "name", MAX_NAME_CHARS)
        issuer = valid_issuer(change.issuer)
        client_id = valid_text(change.client_id, "clientId", 500)
        groups_claim = valid_text(change.groups_claim, "groupsClaim", 100)
        domains = valid_domains(change.allowed_domains)
        admin_groups = valid_groups(change.admin_groups)
        secret_env = self._secret_env(change)
        try:
            await self._client.discover(issuer)
        except OidcSignInFailed as error:
            raise OidcDiscoveryFailed(
                f"The provider's discovery document could not be used: {error.message}"
            ) from error
        async with in_transaction():
            await lock_organization(actor.organization_id)
            for other in await OidcProvider.exclude(organization_id=actor.organization_id):
                taken = sorted(set(domains) & set(other.allowed_domains))
                if taken:
                    raise DomainTaken(taken[0])
            provider = await OidcProvider.get_or_none(organization_id=actor.organization_id)
            if provider is None:
                if change.client_secret is None and secret_env is None:
                    raise InvalidInput(
                        "clientSecret", "Give the client secret, or clientSecretEnv."
                    )
                provider = OidcProvider(organization_id=actor.organization_id)
            elif provider.issuer != issuer or provider.client_id != client_id:
                provider.verified_at = None
                await Organization.filter(id=actor.organization_id).update(password_sign_in=True)
            kept_as = "kept"
            if change.client_secret is not None:
                provider.client_secret_encrypted = self._secrets.seal(change.client_secret)
                provider.client_secret_env = None
                kept_as = "stored"
            elif secret_env is not None:
                provider.client_secret_encrypted = None
                provider.client_secret_env = secret_env
                kept_as = "environment"
            provider.name = name
            provider.issuer = issuer
            provider.client_id = client_id
            provider.allowed_domains = domains
            provider.groups_claim = groups_claim
            provider.admin_groups = admin_groups
            await provider.save()
        await self._record(
            actor,
            {
                "oidc": "configured",
                "name": name,
                "issuer": issuer,
                "clientId": client_id,
                "allowedDomains": domains,
                "clientSecret": kept_as,  # how it is kept, never the secret itself
            },
        )
        return await _settings_of(actor.organization_id)

    async def remove(self, actor: Principal) -> SignInSettings:
        """Forget the provider; password sign-in comes back on (nobody could sign in else)."""
        _require_admin(actor)
        async with in_transaction():
            await lock_organization(actor.organization_id)
            removed = await OidcProvider.filter(organization_id=actor.organization_id).delete()
            await Organization.filter(id=actor.organization_id).update(password_sign_in=True)
        if removed:
            await self._record(actor, {"oidc": "removed", "passwordSignIn": True})
        return await _settings_of(actor.organization_id)

    async def set_password_sign_in(self, actor: Principal, enabled: bool) -> SignInSettings:
        """Turn password sign-in on or off; off needs a provider that signed someone in."""
        _require_admin(actor)
        async with in_transaction():
            await lock_organization(actor.organization_id)
            if not enabled:
                provider = await OidcProvider.get_or_none(organization_id=actor.organization_id)
                if provider is None or provider.verified_at is None:
                    raise OidcNotVerified()
            await Organization.filter(id=actor.organization_id).update(password_sign_in=enabled)
        await self._record(actor, {"passwordSignIn": enabled})
        return await _settings_of(actor.organization_id)

    async def start(self, email: str, redirect_uri: str) -> StartedSignIn:
        """The provider's authorization URL for this email, and the sealed attempt."""
        domain = domain_of(email)
        provider = await provider_for_domain(domain) if domain else None
        if provider is None:
            raise _failed(OidcFailure.NO_PROVIDER, f"no provider for the domain {domain!r}")
        discovery = await self._client.discover(provider.issuer)
        request = AuthorizationRequest(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(64),  # 86 characters: RFC 7636 wants 43-128
        )
        client = Client(provider.client_id, "", redirect_uri)
        url = self._client.authorization_url(discovery, client, request, normalize_email(email))
        attempt = {
            "state": request.state,
            "nonce": request.nonce,
            "verifier": request.code_verifier,
            "organization": str(provider.organization_id),
            "redirectUri": redirect_uri,
        }
        return StartedSignIn(url=url, sealed_attempt=self._attempts.seal(json.dumps(attempt)))

    async def finish(self, sealed_attempt: str | None, callback: Callback) -> Session:
        """Check the provider's answer against the attempt, and sign the person in."""
        attempt = self._open_attempt(sealed_attempt)
        if callback.error is not None:
            raise _failed(OidcFailure.PROVIDER_REFUSED, f"the provider answered {callback.error!r}")
        if callback.state is None or not hmac.compare_digest(
            callback.state.encode(), str(attempt["state"]).encode()
        ):
            raise _failed(OidcFailure.STATE_MISMATCH, "the state differs from the attempt's")
        if not callback.code:
            raise _failed(OidcFailure.PROVIDER_REFUSED, "the provider sent neither code nor error")
        organization_id = uuid.UUID(str(attempt["organization"]))
        provider = await OidcProvider.get_or_none(organization_id=organization_id)
        if provider is None:
            raise _failed(OidcFailure.NO_PROVIDER, "the provider was removed meanwhile")
        discovery = await self._client.discover(provider.issuer)
        client = Client(provider.client_id, self._client_secret(provider), attempt["redirectUri"])
        id_token = await self._client.exchange(
            discovery, client, callback.code, str(attempt["verifier"])
        )
        keys = await self._client.keys(discovery)
        claims = verify_id_token(
            id_token, keys, discovery, provider.client_id, str(attempt["nonce"])
        )
        email = _allowed_email(claims, provider)
        user = await User.get_or_none(email=email)
        if user is None:
            role = _role_of(claims, provider)
            user = await self._identity.create_federated_user(
                provider.organization_id, email, role, "oidc"
            )
        if user.organization_id != provider.organization_id:
            raise _failed(OidcFailure.OTHER_ORGANIZATION, f"{user.id} is another org's user")
        if not user.is_active:
            raise _failed(OidcFailure.ACCOUNT_DISABLED, f"user {user.id} is deactivated")
        await OidcProvider.filter(id=provider.id, verified_at=None).update(
            verified_at=datetime.now(UTC)
        )
        return await self._identity.begin_session(user, {"method": "oidc"})

    def _open_attempt(self, sealed: str | None) -> dict[str, Any]:
        if not sealed:
            raise _failed(OidcFailure.STATE_MISMATCH, "no sign-in attempt cookie")
        try:
            attempt = json.loads(self._attempts.open(sealed, max_age_seconds=ATTEMPT_SECONDS))
        except (Unsealable, ValueError) as error:
            detail = "the attempt cookie is expired or forged"
            raise _failed(OidcFailure.STATE_MISMATCH, detail) from error
        if not isinstance(attempt, dict):
            raise _failed(OidcFailure.STATE_MISMATCH, "the attempt cookie holds no attempt")
        return attempt

    def _client_secret(self, provider: OidcProvider) -> str:
        if provider.client_secret_env is not None:
            value = self._environ.get(provider.client_secret_env)
            if not value:
                raise _failed(
                    OidcFailure.PROVIDER_UNREACHABLE,
                    f"the environment variable {provider.client_secret_env} is not set",
                )
            return value
        if provider.client_secret_encrypted is None:  # configure always keeps one of the two
            raise _failed(OidcFailure.PROVIDER_UNREACHABLE, "no client secret is configured")
        try:
            return self._secrets.open(provider.client_secret_encrypted)
        except Unsealable as error:
            raise _failed(
                OidcFailure.PROVIDER_UNREACHABLE,
                "the stored client secret does not open under this secret key: configure it again",
            ) from error

    def _secret_env(self, change: OidcConfiguration) -> str | None:
        name = change.client_secret_env
        if name is None:
            return None
        if change.client_secret is not None:
            raise InvalidInput("clientSecretEnv", "Give clientSecret or clientSecretEnv, not both.")
        valid_env_name(name)
        if not self._environ.get(name):
            raise InvalidInput("clientSecretEnv", f"{name} is not set in Beacon's environment.")
        return name

    async def _record(self, actor: Principal, details: dict[str, Any]) -> None:
        await audit.record(
            actor.organization_id,
            audit.ORGANIZATION_SIGN_IN_CHANGED,
            actor_id=actor.user_id,
            target_type="organization",
            target_id=actor.organization_id,
            details=details,
        )


async def _settings_of(organization_id: uuid.UUID) -> SignInSettings:
    organization = await Organization.get(id=organization_id)
    provider = await OidcProvider.get_or_none(organization_id=organization_id)
    return SignInSettings(password_sign_in=organization.password_sign_in, provider=provider)


def _require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can change how the organisation signs in.")


def _allowed_email(claims: Mapping[str, Any], provider: OidcProvider) -> str:
    """The token's email, verified and of an allowed domain."""
    raw = claims.get("email")
    if not isinstance(raw, str) or not raw:
        raise _failed(OidcFailure.EMAIL_NOT_ALLOWED, "the ID token carries no email")
    # Some providers send the boolean as a string.
    if claims.get("email_verified") in (False, "false"):
        raise _failed(OidcFailure.EMAIL_NOT_ALLOWED, "the provider has not verified the email")
    try:
        email = normalize_email(raw)
    except InvalidInput as error:
        raise _failed(OidcFailure.EMAIL_NOT_ALLOWED, "the email is not valid") from error
    if email.rsplit("@", 1)[1] not in provider.allowed_domains:
        raise _failed(OidcFailure.EMAIL_NOT_ALLOWED, "the email's domain is not allowed")
    return email


def _role_of(claims: Mapping[str, Any], provider: OidcProvider) -> Role:
    """ADMIN when one of the person's groups is an admin group (at their first sign-in only)."""
    groups = claims.get(provider.groups_claim)
    if isinstance(groups, str):
        groups = [groups]
    if isinstance(groups, list) and set(provider.admin_groups) & {
        group for group in groups if isinstance(group, str)
    }:
        return Role.ADMIN
    return Role.USER
