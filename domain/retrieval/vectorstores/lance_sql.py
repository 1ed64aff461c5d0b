"""The SQL predicates the LanceDB adapter filters with: the access rule and a document's rows.

Values are only ever formatted from `uuid.UUID` and `int` objects, each checked here, so no
caller string reaches the SQL.
"""

import uuid

from domain.retrieval.vectorstores.base import Access
from domain.visibility import Visibility


def sql_uuid(value: uuid.UUID) -> str:
    """A quoted SQL literal for a UUID; anything but a `uuid.UUID` is refused."""
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"expected uuid.UUID, got {type(value).__name__}")
    # str(UUID) is always 36 characters of hex digits and dashes: nothing to escape.
    return f"'{value}'"


def sql_int(value: int) -> str:
    """A SQL literal for an integer; bools and other types are refused."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected int, got {type(value).__name__}")
    return str(int(value))


def organization_predicate(organization_id: uuid.UUID) -> str:
    """The SQL predicate selecting every row of an organisation."""
    return f"organization_id = {sql_uuid(organization_id)}"


def access_predicate(access: Access) -> str:
    """The SQL prefilter keeping only the records `access` may see."""
    organization = organization_predicate(access.organization_id)
    if not isinstance(access.is_admin, bool):
        raise TypeError("is_admin must be a bool")
    if access.is_admin:
        return organization
    owner = sql_uuid(access.user_id)
    return (
        f"{organization} AND (visibility = '{Visibility.ORGANIZATION.value}' OR owner_id = {owner})"
    )


def document_predicate(
    organization_id: uuid.UUID, document_id: uuid.UUID, keep_version: int | None = None
) -> str:
    """The SQL predicate selecting a document's records (optionally all but one version)."""
    predicate = (
        f"{organization_predicate(organization_id)} AND document_id = {sql_uuid(document_id)}"
    )
    if keep_version is not None:
        predicate += f" AND version != {sql_int(keep_version)}"
    return predicate
