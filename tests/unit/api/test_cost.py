"""The query-cost estimate and the fragment spread limit, against Beacon's own schema."""

import time
import uuid
from typing import Any

import pytest
from graphql import ASTValidationRule, ValidationContext, parse, validate

from api.cost import count_fragment_spreads, estimate_cost, limit_fragment_spreads, runs_for
from api.schema import create_schema
from domain.identity.models import Role
from domain.identity.principal import Principal
from domain.pagination import DEFAULT_PAGE_SIZE

SCHEMA = create_schema()._schema


def cost(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    return estimate_cost(SCHEMA, parse(query), name, variables)


def test_scalars_cost_nothing_and_an_object_costs_one() -> None:
    assert cost("{ me { id email } }") == 1


MIXED = """mutation { login(input: {email: "a@example.com", password: "x"}) { __typename }
  logout { __typename } }"""


def charged(query: str, principal: Principal | None) -> int:
    return estimate_cost(SCHEMA, parse(query), None, None, runs=runs_for(principal))


def caller(role: Role) -> Principal:
    return Principal(uuid.uuid4(), uuid.uuid4(), role)


def test_an_anonymous_caller_is_charged_only_for_the_fields_anyone_may_run() -> None:
    assert cost(MIXED) == 2
    assert charged(MIXED, None) == 1
    assert charged("{ documents(first: 30) { edges { node { id } } } }", None) == 0


def test_a_user_is_charged_nothing_below_an_admin_only_field_and_an_admin_everything() -> None:
    query = "{ me { id } users(first: 5) { edges { node { id } } } }"
    assert charged(query, caller(Role.USER)) == 1
    assert charged(query, caller(Role.ADMIN)) == cost(query) == 1 + 1 + 5 + 5


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


def test_a_list_with_a_cap_of_its_own_counts_at_that_cap() -> None:
    query = 'query { conversation(id: "x") { messages { citations { document { id } } } } }'
    capped = estimate_cost(SCHEMA, parse(query), None, None, {"Conversation.messages": 7})
    assert capped == 1 + 7 + 7 * DEFAULT_PAGE_SIZE + 7 * DEFAULT_PAGE_SIZE


def test_fragments_are_counted_where_they_are_spread() -> None:
    query = """
        query { documents(first: 5) { edges { ...Edge } } }
        fragment Edge on DocumentEdge { node { ... on Document { uploadedBy { id } } } }
    """
    assert cost(query) == 1 + 5 + 5 + 5


def test_a_fragment_spread_twice_in_one_selection_set_counts_once() -> None:
    query = "{ me { ...Org ...Org } } fragment Org on User { organization { id } }"
    assert cost(query) == cost("{ me { organization { id } } }") == 2


def test_nested_fragments_count_where_each_is_spread() -> None:
    query = """
        query { me { ...Org } users(first: 2) { edges { node { ...Org } } } }
        fragment Org on User { organization { ...Id } }
        fragment Id on Organization { id }
    """
    # me and its organisation; the connection, 2 edges, 2 users and their 2 organisations
    assert cost(query) == 1 + 1 + 1 + 2 + 2 + 2


def doubling(levels: int, last: str) -> str:
    """`{ ...F0 }` where each fragment spreads the next twice: 2^levels spreads expanded."""
    fragments = " ".join(
        f"fragment F{level} on Query {{ ...F{level + 1} ...F{level + 1} }}"
        for level in range(levels - 1)
    )
    return f"{{ ...F0 }} {fragments} fragment F{levels - 1} on Query {{ {last} }}"


# Walking every spread takes hours here; the timeout turns that into a failure.
@pytest.mark.timeout(30)
def test_a_doubling_chain_of_fragments_costs_its_fields_once_and_at_once() -> None:
    started = time.process_time()

    assert cost(doubling(30, "me { id }")) == 1
    assert time.process_time() - started < 0.05


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


def test_spreads_count_each_time_they_are_reached() -> None:
    document = parse("{ ...A ...A } fragment A on Query { ...B } fragment B on Query { me { id } }")
    assert count_fragment_spreads(document, limit=100) == 4


def test_spreads_stop_being_counted_past_the_limit() -> None:
    assert count_fragment_spreads(parse(doubling(30, "__typename")), limit=100) == 101


def test_a_fragment_cycle_is_not_followed_round() -> None:
    document = parse("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
    assert count_fragment_spreads(document, limit=100) == 2


class Constructed(ASTValidationRule):
    """Records that it ran, as the depth and alias limiters do their checks when constructed."""

    times = 0

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        Constructed.times += 1


@pytest.fixture
def constructed() -> type[Constructed]:
    Constructed.times = 0
    return Constructed


def test_the_guarded_rules_run_on_a_document_within_the_limit(
    constructed: type[Constructed],
) -> None:
    rule = limit_fragment_spreads(3, [constructed])

    errors = validate(SCHEMA, parse(doubling(2, "__typename")), [rule])  # 1 + 2 spreads

    assert errors == []
    assert constructed.times == 1


def test_a_document_over_the_limit_is_refused_without_running_the_guarded_rules(
    constructed: type[Constructed],
) -> None:
    rule = limit_fragment_spreads(3, [constructed])

    [error] = validate(SCHEMA, parse(doubling(3, "__typename")), [rule])  # 1 + 2 + 4 spreads

    assert error.extensions == {"code": "TOO_MANY_FRAGMENT_SPREADS", "maxFragmentSpreads": 3}
    assert constructed.times == 0
