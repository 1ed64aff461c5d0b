"""Email addresses are identities: validated and normalised before they are stored or looked up.

Beacon sends no mail: an address is the sign-in name a company's directory already gave a person.
So addresses on internal domains are valid: Active Directory domains are often `.local`, test
and staging directories use `.test`, and `.internal` is common inside networks. email-validator
refuses what cannot be delivered on the public internet; its documented way to allow a
special-use name is to remove it from its list (process-wide, and Beacon validates addresses
only here). `localhost`, `invalid`, `onion` and `arpa` stay refused: no directory issues
addresses there. Single-label hosts (`ada@intranet`) stay refused too: Microsoft has long
advised against single-label AD domains, and `ada@acmecom` is far likelier a typo of a real
address, which would lock that person out, than a real one.
"""

import email_validator
from email_validator import EmailNotValidError, validate_email

from domain.errors import InvalidInput

INTERNAL_SPECIAL_USE_DOMAINS = ("local", "test")

for _name in INTERNAL_SPECIAL_USE_DOMAINS:
    if _name in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_name)


def normalize_email(email: str, field: str = "email") -> str:
    """The canonical form of an address (domain lower-cased, local part lower-cased too)."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(field, f"Not a valid email address: {error}") from error
    # Case-insensitive local parts are what every mail provider people use actually does.
    return checked.normalized.lower()
