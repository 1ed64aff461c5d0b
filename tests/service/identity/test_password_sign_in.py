"""What the sign-in page offers for an email, and passwords turned off: `login` says so only
to the person whose password matched, and users made by the provider have no password."""

import pytest

from domain.bootstrap import Services
from domain.errors import InvalidCredentials, PasswordSignInDisabled
from domain.identity.models import OidcProvider, Organization, Role
from domain.identity.oidc import OidcService
from domain.identity.oidc_client import OidcClient
from domain.identity.principal import Principal
from domain.settings import Settings
from tests.support.graphql import PASSWORD
from tests.support.oidc_provider import ProviderDouble
from tests.support.oidc_tokens import CLIENT_ID, ISSUER


@pytest.fixture
def oidc(services: Services, settings: Settings) -> OidcService:
    return OidcService(services.identity, settings.secret, OidcClient(ProviderDouble().transport))


async def acme_with_provider(services: Services) -> Principal:
    admin = await services.identity.create_organization("Acme", "admin@acme.test", PASSWORD)
    await OidcProvider.create(
        organization_id=admin.organization_id,
        name="Acme SSO",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        client_secret_env="UNUSED",
        allowed_domains=["acme.test"],
    )
    return Principal.of(admin)


async def test_an_email_of_no_providers_domain_signs_in_with_a_password(
    services: Services, oidc: OidcService
) -> None:
    await acme_with_provider(services)
    for email in ("ada@elsewhere.test", "not an email", ""):
        methods = await oidc.sign_in_methods(email)
        assert methods.password and methods.provider_name is None


async def test_every_address_of_a_providers_domain_gets_the_same_answer(
    services: Services, oidc: OidcService
) -> None:
    await acme_with_provider(services)
    known = await oidc.sign_in_methods("admin@acme.test")
    unknown = await oidc.sign_in_methods("nobody@ACME.test")
    assert known == unknown
    assert known.provider_name == "Acme SSO" and known.password


async def test_with_passwords_off_a_right_password_is_told_to_use_the_provider(
    services: Services, oidc: OidcService
) -> None:
    await acme_with_provider(services)
    await Organization.all().update(password_sign_in=False)

    with pytest.raises(PasswordSignInDisabled) as refused:
        await services.identity.login("admin@acme.test", PASSWORD, None)
    assert refused.value.message == "Your organization signs in with Acme SSO."
    assert (await oidc.sign_in_methods("admin@acme.test")).password is False


async def test_with_passwords_off_a_wrong_password_learns_nothing_more(
    services: Services,
) -> None:
    await acme_with_provider(services)
    await Organization.all().update(password_sign_in=False)

    with pytest.raises(InvalidCredentials):
        await services.identity.login("admin@acme.test", "a wrong password here", None)
    with pytest.raises(InvalidCredentials):
        await services.identity.login("nobody@acme.test", PASSWORD, None)


async def test_a_user_the_provider_created_has_no_password_that_works(
    services: Services,
) -> None:
    admin = await acme_with_provider(services)
    user = await services.identity.create_federated_user(
        admin.organization_id, "ada@acme.test", Role.USER, "oidc"
    )
    assert user.password_hash
    with pytest.raises(InvalidCredentials):
        await services.identity.login("ada@acme.test", "", None)
    with pytest.raises(InvalidCredentials):
        await services.identity.login("ada@acme.test", user.password_hash, None)
