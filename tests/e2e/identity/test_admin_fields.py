"""Every field the SDL marks `@requires(role: ADMIN)` refuses a USER with FORBIDDEN, before its
resolver runs: a new admin field is covered the day it is added."""

import uuid

import graphql
import pytest

from api.schema import create_schema
from tests.support.graphql import GraphQLClient

SDL = graphql.parse(create_schema().as_str())


def admin_fields() -> list[tuple[str, str]]:
    """(operation, field) for every root field carrying `@requires(role: ADMIN)`."""
    found = []
    for definition in SDL.definitions:
        if not isinstance(definition, graphql.ObjectTypeDefinitionNode):
            continue
        operation = {"Query": "query", "Mutation": "mutation"}.get(definition.name.value)
        for field in definition.fields or () if operation else ():
            for directive in field.directives or ():
                arguments = {a.name.value: graphql.print_ast(a.value) for a in directive.arguments}
                if directive.name.value == "requires" and arguments.get("role") == "ADMIN":
                    found.append((operation, field.name.value))
    return found


SCHEMA = graphql.build_ast_schema(SDL)


def value(type_: graphql.GraphQLInputType) -> str:
    """A literal of `type_` with every required part filled in."""
    type_ = graphql.get_nullable_type(type_)  # type: ignore[assignment]
    if isinstance(type_, graphql.GraphQLList):
        return f"[{value(type_.of_type)}]"
    if isinstance(type_, graphql.GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, graphql.GraphQLInputObjectType):
        fields = [
            f"{name}: {value(field.type)}"
            for name, field in type_.fields.items()
            if graphql.is_required_input_field(field)
        ]
        return "{" + ", ".join(fields) + "}"
    samples = {"Int": "1", "Float": "1.0", "Boolean": "true", "DateTime": '"2026-01-01T00:00:00Z"'}
    return samples.get(type_.name, f'"{uuid.uuid4()}"')


def operation(kind: str, name: str) -> str:
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    field = root.fields[name]
    arguments = ", ".join(
        f"{arg}: {value(definition.type)}"
        for arg, definition in field.args.items()
        if graphql.is_required_argument(definition)
    )
    selection = "" if graphql.is_leaf_type(graphql.get_named_type(field.type)) else "{ __typename }"
    return f"{kind} {{ {name}{f'({arguments})' if arguments else ''} {selection} }}"


def test_the_sdl_has_admin_fields_to_check() -> None:
    assert {"users", "createUser", "reindexDocument"} <= {name for _, name in admin_fields()}


@pytest.mark.parametrize(("kind", "name"), admin_fields(), ids=[n for _, n in admin_fields()])
async def test_an_admin_field_refuses_a_user_with_forbidden(
    client: GraphQLClient, kind: str, name: str
) -> None:
    admin = await client.sign_up()
    user = await client.create_user(admin, "bob@example.com")
    body = await client.execute(operation(kind, name), token=user.access_token)
    assert (body["data"] or {}).get(name) is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN", error
    assert error["path"] == [name]
