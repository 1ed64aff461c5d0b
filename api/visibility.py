"""The GraphQL enum `Visibility`: the domain's enum itself, described for the schema.

One enum from the database row to the client, with no mirror to convert through. API modules
import it from here, so its descriptions are registered before any GraphQL type uses it
(Strawberry would otherwise define the bare enum on first use, and then refuse a second one).
"""

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from domain.visibility import Visibility as Visibility

E = TypeVar("E", bound=Enum)


def described_enum(enum: type[E], description: str, values: Mapping[E, str]) -> type[E]:
    """Define `enum`, a domain enum, as a GraphQL enum with a description for every value.

    Strawberry takes a value's description only from its own `enum_value` members, which the
    domain cannot import, so they are set on the definition `strawberry.enum` makes.
    """
    strawberry.enum(enum, description=description)
    definition = getattr(enum, "__strawberry_definition__", None)
    if not isinstance(definition, StrawberryEnumDefinition):
        raise TypeError(f"strawberry.enum did not define {enum.__name__}")
    for value in definition.values:
        value.description = values[enum[value.name]]
    return enum


described_enum(
    Visibility,
    "Who may see a document.",
    {
        Visibility.ORGANIZATION: "Every member of the organisation.",
        Visibility.PRIVATE: "The uploader and ADMINs only.",
    },
)
