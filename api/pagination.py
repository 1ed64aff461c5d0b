"""Relay-style connections built from a domain `Page`."""

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Generic, TypeVar

import strawberry

from api.errors import as_graphql_error
from domain.errors import BeaconError
from domain.pagination import Page

FIRST = "How many items (1-100, default 20)."
AFTER = "The `endCursor` of the previous page."
Node = TypeVar("Node")
Row = TypeVar("Row")


@strawberry.enum(description="Which way a list runs.")
class OrderDirection(Enum):
    """GraphQL mirror of the domain direction."""

    ASC = strawberry.enum_value("ASC", description="Smallest, earliest or first first.")
    DESC = strawberry.enum_value("DESC", description="Largest, latest or last first.")


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    """Relay PageInfo."""

    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="This page was asked for with `after`.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


@strawberry.type(description="One item of a connection and its cursor.")
class Edge(Generic[Node]):
    """Relay edge."""

    cursor: str = strawberry.field(description="Opaque position of this item.")
    node: Node = strawberry.field(description="The item.")


@strawberry.type(description="A page of items; pass `pageInfo.endCursor` as `after` for more.")
class Connection(Generic[Node]):
    """Relay connection."""

    edges: list[Edge[Node]] = strawberry.field(description="Items with their cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[Node]:
        """Shortcut for clients that do not need cursors."""
        return [edge.node for edge in self.edges]


async def paged(page: Awaitable[Page], to_node: Callable[[Row], Node]) -> Connection[Node]:  # type: ignore[type-arg]
    """Await a service's page and map it; bad `first`/`after` become BAD_USER_INPUT errors."""
    try:
        rows = await page
    except BeaconError as error:
        raise as_graphql_error(error) from error
    return connection_from_page(rows, to_node)


def connection_from_page(page: Page, to_node: Callable[[Row], Node]) -> Connection[Node]:  # type: ignore[type-arg]
    """Map a page of rows to a connection of GraphQL nodes."""
    edges = [
        Edge(cursor=c, node=to_node(row)) for row, c in zip(page.items, page.cursors, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    )
