"""Sign-in methods (public) and the organisation's sign-in settings (ADMINs)."""

from typing import Annotated

import strawberry

from api.context import Info
from api.errors import error_member
from api.identity import sign_in_types as t
from api.permissions import admin_only
from domain import errors


@strawberry.type
class SignInQuery:
    """What the sign-in page offers, and what ADMINs set."""

    @strawberry.field(
        description="How a person with this email may sign in (public; answered from the "
        "email's domain alone, so it never tells whether an account exists)."
    )
    async def sign_in_methods(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="The address typed in.")],
    ) -> t.SignInMethods:
        """Password, the organisation's provider, or both."""
        methods = await info.context.services.oidc.sign_in_methods(email)
        return t.SignInMethods.of(methods, info.context.services.settings, email)

    @strawberry.field(
        description="How the organisation's members sign in.", extensions=admin_only()
    )
    async def sign_in_settings(self, info: Info) -> t.SignInSettings:
        """ADMIN only; the client secret is never readable."""
        settings = await info.context.services.oidc.settings(info.context.require_principal())
        return t.SignInSettings.of(settings)


@strawberry.type
class SignInMutation:
    """What ADMINs change about how their organisation signs in (each change is audited as
    organization.sign_in_changed)."""

    @strawberry.mutation(
        description="Set the organisation's OpenID Connect provider (its discovery document is "
        "fetched first). A new issuer or client id is unverified again, and turns password "
        "sign-in back on.",
        extensions=admin_only(),
    )
    async def configure_oidc(
        self,
        info: Info,
        input: Annotated[t.ConfigureOidcInput, strawberry.argument(description="The provider.")],
    ) -> t.ConfigureOidcResult:
        """ADMIN only."""
        try:
            settings = await info.context.services.oidc.configure(
                info.context.require_principal(), input.to_domain()
            )
        except (errors.InvalidInput, errors.OidcDiscoveryFailed, errors.DomainTaken) as error:
            return error_member(error)
        return t.SignInSettings.of(settings)

    @strawberry.mutation(
        description="Forget the organisation's provider; password sign-in comes back on.",
        extensions=admin_only(),
    )
    async def remove_oidc(self, info: Info) -> t.RemoveOidcResult:
        """ADMIN only."""
        settings = await info.context.services.oidc.remove(info.context.require_principal())
        return t.SignInSettings.of(settings)

    @strawberry.mutation(
        description="Turn password sign-in on or off; off needs a provider that someone of the "
        "organisation has signed in with.",
        extensions=admin_only(),
    )
    async def set_password_sign_in(
        self,
        info: Info,
        enabled: Annotated[bool, strawberry.argument(description="Whether passwords work.")],
    ) -> t.SetPasswordSignInResult:
        """ADMIN only."""
        try:
            settings = await info.context.services.oidc.set_password_sign_in(
                info.context.require_principal(), enabled
            )
        except errors.OidcNotVerified as error:
            return error_member(error)
        return t.SignInSettings.of(settings)
