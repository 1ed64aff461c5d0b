"""How failures reach clients: union error types, coded GraphQL errors, and masking."""

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.exceptions import StrawberryInputCoercionError

from domain import errors as domain

log = logging.getLogger("beacon.api")

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
BAD_USER_INPUT = "BAD_USER_INPUT"
RATE_LIMITED = "RATE_LIMITED"


class CodedError(GraphQLError):
    """A GraphQL error meant for the client: its message is kept and `extensions.code` set."""

    code = "ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class Unauthenticated(CodedError):
    """No valid access token."""

    code = UNAUTHENTICATED


class Forbidden(CodedError):
    """Signed in, but not allowed."""

    code = FORBIDDEN


class BadUserInput(CodedError):
    """An argument outside what the field accepts (for fields that return no union)."""

    code = BAD_USER_INPUT


def as_graphql_error(error: domain.BeaconError) -> CodedError:
    """A domain error raised where no union member fits (queries, permission checks)."""
    if isinstance(error, domain.AuthenticationFailed):
        return Unauthenticated(error.message)
    if isinstance(error, domain.PermissionDenied):
        return Forbidden(error.message)
    if isinstance(error, domain.InvalidInput):
        return BadUserInput(error.message, field=error.field)
    if isinstance(error, domain.RateLimited):
        return CodedError(error.message, retryAfterSeconds=error.retry_after)
    return CodedError(error.message)


def is_for_the_client(error: GraphQLError) -> bool:
    """Parse and validation errors, our limiters, a variable a scalar refused (a DateTime with
    an impossible offset), and errors raised on purpose: the client's to read, not bugs."""
    original = error.original_error
    return original is None or isinstance(original, CodedError | StrawberryInputCoercionError)


def should_mask(error: GraphQLError) -> bool:
    """Mask everything but what `is_for_the_client`."""
    return not is_for_the_client(error)


@strawberry.interface(description="Every expected failure of a mutation implements Error.")
class Error:
    """Common shape of union error members."""

    message: str = strawberry.field(description="A sentence for people.")
    code: str = strawberry.field(description="A stable code for programs.")


@strawberry.type(description="An input value broke a rule; `field` names the input field.")
class ValidationError(Error):
    """Maps `domain.errors.InvalidInput`."""

    field: str = strawberry.field(description="The input field at fault.")


@strawberry.type(description="Too many attempts; retry after the given number of seconds.")
class TooManyAttempts(Error):
    """Maps `domain.errors.RateLimited`."""

    retry_after_seconds: int = strawberry.field(description="Seconds until the next attempt.")


@strawberry.type(description="Nothing with that id exists, or the caller may not see it.")
class NotFoundError(Error):
    """Maps `domain.errors.NotFound`; a hidden object answers exactly like a missing one."""


def validation_error(error: domain.InvalidInput) -> ValidationError:
    """The union member for an invalid input."""
    return ValidationError(message=error.message, code=error.code, field=error.field)


def too_many_attempts(error: domain.RateLimited) -> TooManyAttempts:
    """The union member for a throttled attempt."""
    return TooManyAttempts(
        message=error.message, code=error.code, retry_after_seconds=error.retry_after
    )


def not_found(error: domain.NotFound) -> NotFoundError:
    """The union member for a missing (or hidden) object."""
    return NotFoundError(message=error.message, code=error.code)
