"""The query-cost estimate, against Beacon's own schema."""

from typing import Any

import pytest
from graphql import parse

from api.cost import estimate_cost
from api.schema import create_schema
from domain.pagination import DEFAULT_PAGE_SIZE

SCHEMA = create_schema()._schema


def cost(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    return estimate_cost(SCHEMA, parse(query), name, variables)


def test_scalars_cost_nothing_and_an_object_costs_one() -> None:
    assert cost("{ me { id email } }") == 1


def test_introspection_meta_fields_cost_nothing() -> None:
    assert cost("{ __typename }") == 0


def test_first_multiplies_along_a_connection() -> None:
    query = "{ documents(first: 30) { edges { node { id uploadedBy { id } } } } }"
    # the connection object, then 30 edges, 30 nodes and 30 uploaders
    assert cost(query) == 1 + 30 + 30 + 30


def test_first_given_through_a_variable_counts_at_its_value() -> None:
    query = "query($n: Int) { users(first: $n) { edges { node { id } } } }"
    assert cost(query, {"n": 7}) == 1 + 7 + 7


def test_a_variable_left_out_counts_at_the_operation_default() -> None:
    query = "query($n: Int = 9) { users(first: $n) { edges { node { id } } } }"
    assert cost(query, {}) == 1 + 9 + 9


def test_first_left_out_counts_as_the_default_page() -> None:
    assert cost("{ users { edges { node { id } } } }") == 1 + 2 * DEFAULT_PAGE_SIZE


def test_a_schema_default_for_first_is_used() -> None:
    # search(query, first: Int = 10)
    assert cost('{ search(query: "x") { document { id } } }') == 10 + 10


def test_a_plain_list_counts_as_a_default_page_per_parent() -> None:
    query = 'query { conversation(id: "x") { messages { citations { document { id } } } } }'
    page = DEFAULT_PAGE_SIZE
    assert cost(query) == 1 + page + page * page + page * page


def test_fragments_are_counted_where_they_are_spread() -> None:
    query = """
        query { documents(first: 5) { edges { ...Edge } } }
        fragment Edge on DocumentEdge { node { ... on Document { uploadedBy { id } } } }
    """
    assert cost(query) == 1 + 5 + 5 + 5


def test_only_the_named_operation_is_counted() -> None:
    query = """
        query Small { me { id } }
        query Big { users(first: 100) { edges { node { id } } } }
    """
    assert cost(query, name="Small") == 1
    assert cost(query, name="Big") == 201


@pytest.mark.parametrize("first", [0, -5, "many"])
def test_a_nonsense_first_counts_as_one_and_is_left_to_the_resolver(first: object) -> None:
    query = "query($n: Int) { users(first: $n) { edges { node { id } } } }"
    assert cost(query, {"n": first}) == 3
