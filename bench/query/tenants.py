"""The benchmark's organisations: an ADMIN each, and member users who search and ask."""

import uuid
from dataclasses import dataclass, field

from domain.bootstrap import Services
from domain.identity.models import Role
from domain.identity.principal import Principal

ORGANIZATIONS = 3
PASSWORD = "benchmark password 1234"
SOCKETS_PER_USER = 10  # BEACON_MAX_WEBSOCKETS_PER_USER's default, kept as shipped


@dataclass
class Tenant:
    """One organisation: its ADMIN, and member users (non-admins) who search and ask."""

    admin: Principal
    members: list[Principal]
    tokens: dict[uuid.UUID, str] = field(default_factory=dict)  # member id -> access token


def member_email(tenant: int, member: int) -> str:
    """The email of the organisation's `member`th member user."""
    return f"member{tenant}-{member}@example.com"


async def make_tenants(services: Services, members_needed: int) -> list[Tenant]:
    """Three organisations with an ADMIN each; members (USER role) spread over them."""
    tenants: list[Tenant] = []
    per_tenant = -(-members_needed // ORGANIZATIONS)
    for number in range(ORGANIZATIONS):
        user = await services.identity.create_organization(
            f"Bench org {number}", f"admin{number}@example.com", PASSWORD
        )
        admin = Principal.of(user)
        tenant = Tenant(admin, [])
        for member_number in range(per_tenant):
            email = member_email(number, member_number)
            member = await services.identity.create_user(admin, email, PASSWORD, Role.USER)
            tenant.members.append(Principal.of(member))
            session = await services.identity.login(email, PASSWORD, None)
            tenant.tokens[member.id] = session.access_token
        tenants.append(tenant)
    return tenants
