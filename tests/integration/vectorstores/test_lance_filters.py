"""The Lance adapter's SQL predicates: built from UUID objects only, so nothing can be injected."""

import uuid

import pytest

from domain.retrieval.vectorstores.base import Access
from domain.retrieval.vectorstores.lance_sql import (
    access_predicate,
    document_predicate,
    sql_int,
    sql_uuid,
)
from tests.integration.vectorstores.factories import AS_ADMIN, AS_COLLEAGUE, COLLEAGUE, ORG

INJECTIONS = [
    "x' OR '1'='1",
    "0a000000-0000-4000-8000-000000000001' OR visibility = 'PRIVATE",
    str(ORG),  # even a well-formed string: only uuid.UUID objects are formatted
    b"\x00",
    42,
    None,
]


def test_a_member_sees_their_organisations_shared_records_and_their_own() -> None:
    assert access_predicate(AS_COLLEAGUE) == (
        f"organization_id = '{ORG}' AND (visibility = 'ORGANIZATION' OR owner_id = '{COLLEAGUE}')"
    )


def test_an_admin_sees_every_record_of_their_organisation_only() -> None:
    assert access_predicate(AS_ADMIN) == f"organization_id = '{ORG}'"


def test_a_document_predicate_names_organisation_document_and_kept_version() -> None:
    document_id = uuid.UUID("0f000000-0000-4000-8000-000000000006")
    assert document_predicate(ORG, document_id, keep_version=3) == (
        f"organization_id = '{ORG}' AND document_id = '{document_id}' AND version != 3"
    )


@pytest.mark.parametrize("value", INJECTIONS)
def test_sql_uuid_refuses_anything_but_a_uuid(value: object) -> None:
    with pytest.raises(TypeError):
        sql_uuid(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", INJECTIONS)
def test_the_access_predicate_refuses_a_non_uuid_organisation_or_user(value: object) -> None:
    with pytest.raises(TypeError):
        access_predicate(Access(organization_id=value, user_id=COLLEAGUE, is_admin=False))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        access_predicate(Access(organization_id=ORG, user_id=value, is_admin=False))  # type: ignore[arg-type]


def test_the_access_predicate_refuses_a_truthy_non_bool_admin_flag() -> None:
    with pytest.raises(TypeError):
        access_predicate(Access(organization_id=ORG, user_id=COLLEAGUE, is_admin="yes"))  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["1 OR 1=1", "3", 2.5, True])
def test_a_kept_version_must_be_an_int(value: object) -> None:
    with pytest.raises(TypeError):
        sql_int(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        document_predicate(ORG, ORG, keep_version=value)  # type: ignore[arg-type]
