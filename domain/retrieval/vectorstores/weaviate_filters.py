"""The Weaviate filters behind every query: the access rule and a document's objects.

Ids are compared as exact strings (their properties use FIELD tokenization), so they must be
canonical UUID text: anything but a `uuid.UUID` is refused before it reaches a filter.
"""

import uuid

from weaviate.classes.query import Filter, FilterReturn

from domain.retrieval.vectorstores.base import Access
from domain.visibility import Visibility


def access_filter(access: Access) -> FilterReturn:
    """The Weaviate filter keeping only the objects `access` may see in its tenant."""
    organization = Filter.by_property("organization_id").equal(uuid_text(access.organization_id))
    if not isinstance(access.is_admin, bool):
        raise TypeError("is_admin must be a bool")
    if access.is_admin:
        return organization
    shared = Filter.by_property("visibility").equal(Visibility.ORGANIZATION.value)
    own = Filter.by_property("owner_id").equal(uuid_text(access.user_id))
    return organization & (shared | own)


def document_filter(document_id: uuid.UUID, keep_version: int | None = None) -> FilterReturn:
    """The Weaviate filter selecting a document's objects (optionally all but one version)."""
    document = Filter.by_property("document_id").equal(uuid_text(document_id))
    if keep_version is None:
        return document
    if not isinstance(keep_version, int) or isinstance(keep_version, bool):
        raise TypeError("keep_version must be an int")
    return document & Filter.by_property("version").not_equal(keep_version)


def uuid_text(value: uuid.UUID) -> str:
    """Canonical UUID text for an id property; anything but a `uuid.UUID` is refused."""
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"expected uuid.UUID, got {type(value).__name__}")
    return str(value)
