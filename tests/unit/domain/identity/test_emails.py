"""Which sign-in addresses are valid, and their canonical form."""

import pytest

from domain.errors import InvalidInput
from domain.identity.emails import normalize_email


@pytest.mark.parametrize(
    "address",
    ["ada@corp.local", "ada@x.test", "ada@acme.internal", "ada@example.com"],
)
def test_addresses_on_internal_domains_are_valid(address: str) -> None:
    assert normalize_email(address) == address


@pytest.mark.parametrize(
    "address",
    ["ada@localhost", "ada@example.invalid", "ada@x.onion", "ada@intranet", "ada@", "ada@-x.local"],
)
def test_addresses_no_directory_issues_are_refused(address: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalize_email(address)
    assert refused.value.field == "email"


def test_addresses_are_lower_cased_and_trimmed() -> None:
    assert normalize_email("  Ada.Lovelace@Corp.LOCAL ") == "ada.lovelace@corp.local"
