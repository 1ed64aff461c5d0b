"""ADMINs configure their organisation's OpenID provider: checked against its discovery
document, its secret sealed (or named in the environment), each domain one organisation's,
and passwords turned off only once the provider has signed someone in."""

from datetime import UTC, datetime

import pytest

from domain.bootstrap import Services
from domain.errors import (
    DomainTaken,
    InvalidInput,
    OidcDiscoveryFailed,
    OidcNotVerified,
    PermissionDenied,
)
from domain.identity.models import OidcProvider, Role
from domain.identity.oidc import OidcService
from domain.identity.oidc_client import OidcClient
from domain.identity.oidc_configuration import OidcConfiguration
from domain.identity.principal import Principal
from domain.identity.sealing import CLIENT_SECRET, Sealer
from domain.settings import Settings
from tests.support.graphql import PASSWORD
from tests.support.oidc_provider import ProviderDouble
from tests.support.oidc_tokens import CLIENT_ID, ISSUER
from tests.support.oidc_tokens import CLIENT_SECRET as SECRET

ENVIRONMENT = {"ACME_OIDC_SECRET": "secret-from-the-environment"}


@pytest.fixture
def provider() -> ProviderDouble:
    return ProviderDouble()


@pytest.fixture
def oidc(services: Services, settings: Settings, provider: ProviderDouble) -> OidcService:
    return OidcService(
        services.identity, settings.secret, OidcClient(provider.transport), ENVIRONMENT
    )


async def admin_of(services: Services, organization: str = "Acme") -> Principal:
    email = f"admin@{organization.lower()}.example"
    return Principal.of(await services.identity.create_organization(organization, email, PASSWORD))


def configuration(**changes: object) -> OidcConfiguration:
    values: dict[str, object] = {
        "name": "Acme SSO",
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "allowed_domains": ["Acme.test", " acme.test "],
        "admin_groups": ["beacon-admins"],
    }
    values.update(changes)
    return OidcConfiguration(**values)  # type: ignore[arg-type]


async def test_the_client_secret_is_stored_sealed_and_settings_never_hold_it(
    services: Services, settings: Settings, oidc: OidcService
) -> None:
    admin = await admin_of(services)

    configured = await oidc.configure(admin, configuration())

    provider = configured.provider
    assert provider is not None and provider.allowed_domains == ["acme.test"]
    stored = await OidcProvider.get(organization_id=admin.organization_id)
    assert stored.client_secret_encrypted and SECRET not in stored.client_secret_encrypted
    assert Sealer(settings.secret, CLIENT_SECRET).open(stored.client_secret_encrypted) == SECRET
    assert stored.client_secret_env is None


async def test_a_secret_named_in_the_environment_replaces_a_stored_one(
    services: Services, oidc: OidcService
) -> None:
    admin = await admin_of(services)
    await oidc.configure(admin, configuration())

    await oidc.configure(
        admin, configuration(client_secret=None, client_secret_env="ACME_OIDC_SECRET")
    )

    stored = await OidcProvider.get(organization_id=admin.organization_id)
    assert stored.client_secret_encrypted is None
    assert stored.client_secret_env == "ACME_OIDC_SECRET"


async def test_leaving_the_secret_out_keeps_the_stored_one_but_a_first_configuration_needs_one(
    services: Services, oidc: OidcService
) -> None:
    admin = await admin_of(services)
    with pytest.raises(InvalidInput) as refused:
        await oidc.configure(admin, configuration(client_secret=None))
    assert refused.value.field == "clientSecret"

    first = await oidc.configure(admin, configuration())
    assert first.provider is not None
    sealed = first.provider.client_secret_encrypted
    await oidc.configure(admin, configuration(client_secret=None, name="Acme Login"))
    stored = await OidcProvider.get(organization_id=admin.organization_id)
    assert stored.client_secret_encrypted == sealed and stored.name == "Acme Login"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"client_secret_env": "ACME_OIDC_SECRET"}, "clientSecretEnv"),  # both at once
        ({"client_secret": None, "client_secret_env": "NOT_SET_ANYWHERE"}, "clientSecretEnv"),
        ({"client_secret": None, "client_secret_env": "not a name"}, "clientSecretEnv"),
        ({"allowed_domains": []}, "allowedDomains"),
        ({"allowed_domains": ["not a domain"]}, "allowedDomains"),
        ({"issuer": "http://idp.example.com"}, "issuer"),  # plain http off loopback
        ({"issuer": "https://idp.test?x=1"}, "issuer"),
        ({"name": "  "}, "name"),
        ({"client_id": ""}, "clientId"),
    ],
)
async def test_bad_settings_are_refused_with_the_field_at_fault(
    services: Services, oidc: OidcService, changes: dict[str, object], field: str
) -> None:
    admin = await admin_of(services)
    with pytest.raises(InvalidInput) as refused:
        await oidc.configure(admin, configuration(**changes))
    assert refused.value.field == field
    assert not await OidcProvider.exists()


async def test_a_domain_belongs_to_one_organisations_provider(
    services: Services, oidc: OidcService
) -> None:
    acme = await admin_of(services)
    other = await admin_of(services, "Other")
    await oidc.configure(acme, configuration())

    with pytest.raises(DomainTaken) as refused:
        await oidc.configure(other, configuration(allowed_domains=["other.test", "ACME.test"]))
    assert refused.value.domain == "acme.test" and refused.value.field == "allowedDomains"
    assert await oidc.configure(other, configuration(allowed_domains=["other.test"]))


@pytest.mark.parametrize(
    "trouble",
    ["down", "another issuer", "no asymmetric algorithm", "no jwks_uri"],
)
async def test_a_provider_whose_discovery_cannot_be_used_is_not_configured(
    services: Services, oidc: OidcService, provider: ProviderDouble, trouble: str
) -> None:
    admin = await admin_of(services)
    if trouble == "down":
        provider.down = True
    elif trouble == "another issuer":
        provider.discovery_changes = {"issuer": "https://elsewhere.test"}
    elif trouble == "no asymmetric algorithm":
        provider.discovery_changes = {"id_token_signing_alg_values_supported": ["HS256", "none"]}
    else:
        provider.discovery_changes = {"jwks_uri": None}

    with pytest.raises(OidcDiscoveryFailed):
        await oidc.configure(admin, configuration())
    assert not await OidcProvider.exists()


async def test_only_admins_read_or_change_the_sign_in_settings(
    services: Services, oidc: OidcService
) -> None:
    admin = await admin_of(services)
    user = await services.identity.create_user(admin, "bob@acme.example", PASSWORD, Role.USER)
    member = Principal.of(user)

    with pytest.raises(PermissionDenied):
        await oidc.settings(member)
    with pytest.raises(PermissionDenied):
        await oidc.configure(member, configuration())
    with pytest.raises(PermissionDenied):
        await oidc.remove(member)
    with pytest.raises(PermissionDenied):
        await oidc.set_password_sign_in(member, enabled=False)


async def test_passwords_go_off_only_once_the_provider_signed_someone_in(
    services: Services, oidc: OidcService
) -> None:
    admin = await admin_of(services)
    with pytest.raises(OidcNotVerified):
        await oidc.set_password_sign_in(admin, enabled=False)
    await oidc.configure(admin, configuration())
    with pytest.raises(OidcNotVerified):
        await oidc.set_password_sign_in(admin, enabled=False)

    await OidcProvider.filter(organization_id=admin.organization_id).update(
        verified_at=datetime.now(UTC)
    )
    assert not (await oidc.set_password_sign_in(admin, enabled=False)).password_sign_in


async def test_a_new_issuer_must_prove_itself_again_and_brings_passwords_back(
    services: Services, oidc: OidcService, provider: ProviderDouble
) -> None:
    admin = await admin_of(services)
    await oidc.configure(admin, configuration())
    await OidcProvider.filter(organization_id=admin.organization_id).update(
        verified_at=datetime.now(UTC)
    )
    await oidc.set_password_sign_in(admin, enabled=False)

    same = await oidc.configure(admin, configuration(name="Renamed"))
    assert same.provider is not None and same.provider.verified_at is not None
    assert not same.password_sign_in
    moved = await oidc.configure(admin, configuration(client_id="another-client"))
    assert moved.provider is not None and moved.provider.verified_at is None
    assert moved.password_sign_in


async def test_removing_the_provider_turns_passwords_back_on(
    services: Services, oidc: OidcService
) -> None:
    admin = await admin_of(services)
    await oidc.configure(admin, configuration())
    await OidcProvider.filter(organization_id=admin.organization_id).update(
        verified_at=datetime.now(UTC)
    )
    await oidc.set_password_sign_in(admin, enabled=False)

    removed = await oidc.remove(admin)

    assert removed.provider is None and removed.password_sign_in
    assert (await oidc.sign_in_methods("ada@acme.test")).provider_name is None
