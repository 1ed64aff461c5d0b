"""What an ADMIN may set as their organisation's OpenID provider: the input and its checks,
each refusal naming the GraphQL field it is about."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from domain.errors import InvalidInput

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_NAME_CHARS = 100
MAX_GROUPS = 100


@dataclass(frozen=True)
class OidcConfiguration:
    """What an ADMIN sets; a None `client_secret` and `client_secret_env` keep the stored one."""

    name: str
    issuer: str
    client_id: str
    allowed_domains: Sequence[str]
    client_secret: str | None = None
    client_secret_env: str | None = None
    groups_claim: str = "groups"
    admin_groups: Sequence[str] = field(default_factory=tuple)


def valid_text(value: str, field_name: str, max_chars: int) -> str:
    text = value.strip()
    if not 1 <= len(text) <= max_chars:
        raise InvalidInput(field_name, f"Give 1-{max_chars} characters.")
    return text


def valid_issuer(value: str) -> str:
    """An issuer URL: https, or http on a loopback address (a provider on this machine)."""
    issuer = value.strip()
    parts = urlsplit(issuer)
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
    if not (secure and parts.hostname) or parts.query or parts.fragment or len(issuer) > 500:
        raise InvalidInput(
            "issuer", "Give the provider's issuer URL: https://, without query or fragment."
        )
    return issuer


def valid_domains(values: Sequence[str]) -> list[str]:
    domains = sorted({value.strip().lower() for value in values})
    if not domains:
        raise InvalidInput("allowedDomains", "Name at least one email domain.")
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise InvalidInput("allowedDomains", f"{domain!r} is not an email domain.")
    return domains


def valid_groups(values: Sequence[str]) -> list[str]:
    groups = sorted({value.strip() for value in values if value.strip()})
    if len(groups) > MAX_GROUPS:
        raise InvalidInput("adminGroups", f"Name at most {MAX_GROUPS} groups.")
    return groups


def valid_env_name(name: str) -> str:
    """The name of an environment variable (where the client secret is read from)."""
    if not _ENV_NAME.match(name):
        raise InvalidInput("clientSecretEnv", "Name an environment variable (A-Z, 0-9, _).")
    return name
