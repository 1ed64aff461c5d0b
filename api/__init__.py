"""Beacon's GraphQL edge: Starlette + Strawberry over HTTP and graphql-transport-ws."""
