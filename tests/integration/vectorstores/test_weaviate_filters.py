"""The Weaviate adapter's query filters, checked without a server."""

import uuid
from typing import Any

import pytest

from domain.retrieval.vectorstores.base import Access
from domain.retrieval.vectorstores.weaviate import WeaviateVectorStore
from domain.retrieval.vectorstores.weaviate_filters import access_filter, document_filter
from tests.integration.vectorstores.factories import AS_ADMIN, AS_COLLEAGUE, COLLEAGUE, ORG


def shape(node: Any) -> Any:
    """A filter tree as nested tuples: (operator, children...) or (property, operator, value)."""
    if hasattr(node, "filters"):
        return (node.operator.value, *(shape(child) for child in node.filters))
    return (node.target, node.operator.value, node.value)


def test_a_member_sees_their_organisations_shared_objects_and_their_own() -> None:
    assert shape(access_filter(AS_COLLEAGUE)) == (
        "And",
        ("organization_id", "Equal", str(ORG)),
        ("Or", ("visibility", "Equal", "ORGANIZATION"), ("owner_id", "Equal", str(COLLEAGUE))),
    )


def test_an_admin_sees_every_object_of_their_organisation() -> None:
    assert shape(access_filter(AS_ADMIN)) == ("organization_id", "Equal", str(ORG))


def test_a_document_filter_can_spare_one_version() -> None:
    document_id = uuid.uuid4()
    assert shape(document_filter(document_id, keep_version=4)) == (
        "And",
        ("document_id", "Equal", str(document_id)),
        ("version", "NotEqual", 4),
    )


@pytest.mark.parametrize("value", ["x' OR '1'='1", str(ORG), None, 7])
def test_filters_refuse_ids_that_are_not_uuids(value: object) -> None:
    with pytest.raises(TypeError):
        access_filter(Access(organization_id=value, user_id=COLLEAGUE, is_admin=False))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        access_filter(Access(organization_id=ORG, user_id=value, is_admin=False))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        document_filter(value)  # type: ignore[arg-type]


def test_a_store_needs_an_http_or_https_url() -> None:
    with pytest.raises(ValueError, match="scheme"):
        WeaviateVectorStore("ftp://weaviate.internal", None, 8)


async def test_a_store_used_before_start_says_so() -> None:
    store = WeaviateVectorStore("http://weaviate.internal:8080", None, 8)
    with pytest.raises(RuntimeError, match="start"):
        await store.count(ORG, uuid.uuid4())
