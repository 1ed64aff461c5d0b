"""Email addresses are identities: validated and normalised before they are stored or looked up."""

from email_validator import EmailNotValidError, validate_email

from domain.errors import InvalidInput


def normalize_email(email: str, field: str = "email") -> str:
    """The canonical form of an address (domain lower-cased, local part lower-cased too)."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(field, f"Not a valid email address: {error}") from error
    # Case-insensitive local parts are what every mail provider people use actually does.
    return checked.normalized.lower()
