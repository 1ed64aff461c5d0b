"""How failures reach clients: union error types, coded GraphQL errors, and masking.

Every domain error that a mutation answers with a union member maps to its member here, once
(`error_member`); the rest become coded GraphQL errors (`as_graphql_error`)."""

import logging
from collections.abc import Callable
from typing import Any, overload

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


@strawberry.type(description="Wrong email or password.")
class InvalidCredentials(Error):
    """Maps `domain.errors.InvalidCredentials`."""


@strawberry.type(
    description="The refresh token was refused; `code` says why: INVALID_TOKEN (unknown, "
    "expired or revoked), REFRESH_TOKEN_REUSED (its family is now revoked), "
    "REFRESH_TOKEN_MISSING (none sent), ACCOUNT_DEACTIVATED (an ADMIN deactivated the account)."
)
class InvalidRefreshToken(Error):
    """Maps `domain.errors.InvalidToken` and `RefreshTokenReused`: sign in again."""


@strawberry.type(description="Another account already uses this email.")
class EmailAlreadyRegistered(Error):
    """Maps `domain.errors.EmailAlreadyRegistered`."""


@strawberry.type(description="Self-service sign-up is switched off on this server.")
class SignUpDisabled(Error):
    """Maps `domain.errors.SignUpDisabled`."""


@strawberry.type(description="The change would leave the organisation without an active ADMIN.")
class LastActiveAdmin(Error):
    """Maps `domain.errors.LastActiveAdmin`."""


@strawberry.type(
    description="The file was refused: UNSUPPORTED_TYPE, EMPTY_FILE, CORRUPT_FILE, "
    "ENCRYPTED_FILE or TOO_LARGE."
)
class FileRejected(Error):
    """Maps `domain.errors.DocumentRejected`: the upload's content cannot be ingested."""


@strawberry.type(description="Today's answer budget is spent (per user or organisation).")
class BudgetExceeded(Error):
    """Maps `domain.errors.BudgetExceeded`: try again tomorrow, or ask an administrator."""


@strawberry.type(
    description="The answer failed (e.g. LLM_UNAVAILABLE, LLM_TIMEOUT); in the answer "
    "stream, the last event."
)
class AnswerError(Error):
    """Any other failure of an answer; in a stream, it stands for every failure (see
    `answer_error`)."""

    code: str = strawberry.field(
        description="E.g. INVALID_INPUT, NOT_FOUND, LLM_TIMEOUT, RATE_LIMITED (the message "
        "names the wait)."
    )


@strawberry.type(
    description="The password is right, but the organisation signs in with its identity "
    "provider only (code PASSWORD_SIGN_IN_DISABLED); the message names the provider."
)
class PasswordSignInDisabled(Error):
    """Maps `domain.errors.PasswordSignInDisabled`."""


@strawberry.type(
    description="The issuer's discovery document could not be fetched or used, or names "
    "another issuer (code OIDC_DISCOVERY_FAILED); the message says which."
)
class OidcDiscoveryFailed(Error):
    """Maps `domain.errors.OidcDiscoveryFailed`."""


@strawberry.type(
    description="An email domain already signs in with another organisation's provider "
    "(code DOMAIN_TAKEN); `field` is allowedDomains."
)
class DomainTaken(Error):
    """Maps `domain.errors.DomainTaken`."""

    field: str = strawberry.field(description="The input field at fault.")


@strawberry.type(
    description="Password sign-in can be turned off only once OIDC is configured and someone "
    "of the organisation signed in with it (code OIDC_NOT_VERIFIED)."
)
class OidcNotVerified(Error):
    """Maps `domain.errors.OidcNotVerified`."""


# Most specific first: the first class an error is an instance of gives its member.
_MEMBERS: tuple[tuple[type[domain.BeaconError], Callable[[Any], Error]], ...] = (
    (
        domain.InvalidInput,
        lambda error: ValidationError(message=error.message, code=error.code, field=error.field),
    ),
    (
        domain.RateLimited,
        lambda error: TooManyAttempts(
            message=error.message, code=error.code, retry_after_seconds=error.retry_after
        ),
    ),
    (domain.NotFound, lambda error: NotFoundError(message=error.message, code=error.code)),
    (
        domain.InvalidCredentials,
        lambda error: InvalidCredentials(message=error.message, code=error.code),
    ),
    (
        domain.InvalidToken,
        lambda error: InvalidRefreshToken(message=error.message, code=error.code),
    ),
    (
        domain.RefreshTokenReused,
        lambda error: InvalidRefreshToken(message=error.message, code=error.code),
    ),
    (
        domain.EmailAlreadyRegistered,
        lambda error: EmailAlreadyRegistered(message=error.message, code=error.code),
    ),
    (domain.SignUpDisabled, lambda error: SignUpDisabled(message=error.message, code=error.code)),
    (domain.LastActiveAdmin, lambda error: LastActiveAdmin(message=error.message, code=error.code)),
    (domain.DocumentRejected, lambda error: FileRejected(message=error.message, code=error.code)),
    (domain.BudgetExceeded, lambda error: BudgetExceeded(message=error.message, code=error.code)),
    (
        domain.PasswordSignInDisabled,
        lambda error: PasswordSignInDisabled(message=error.message, code=error.code),
    ),
    (
        domain.OidcDiscoveryFailed,
        lambda error: OidcDiscoveryFailed(message=error.message, code=error.code),
    ),
    (
        domain.DomainTaken,
        lambda error: DomainTaken(message=error.message, code=error.code, field=error.field),
    ),
    (domain.OidcNotVerified, lambda error: OidcNotVerified(message=error.message, code=error.code)),
)


@overload
def error_member(error: domain.InvalidInput) -> ValidationError: ...
@overload
def error_member(error: domain.RateLimited) -> TooManyAttempts: ...
@overload
def error_member(error: domain.NotFound) -> NotFoundError: ...
@overload
def error_member(error: domain.InvalidCredentials) -> InvalidCredentials: ...
@overload
def error_member(error: domain.InvalidToken | domain.RefreshTokenReused) -> InvalidRefreshToken: ...
@overload
def error_member(error: domain.EmailAlreadyRegistered) -> EmailAlreadyRegistered: ...
@overload
def error_member(error: domain.SignUpDisabled) -> SignUpDisabled: ...
@overload
def error_member(error: domain.LastActiveAdmin) -> LastActiveAdmin: ...
@overload
def error_member(error: domain.DocumentRejected) -> FileRejected: ...
@overload
def error_member(error: domain.BudgetExceeded) -> BudgetExceeded: ...
@overload
def error_member(error: domain.PasswordSignInDisabled) -> PasswordSignInDisabled: ...
@overload
def error_member(error: domain.OidcDiscoveryFailed) -> OidcDiscoveryFailed: ...
@overload
def error_member(error: domain.DomainTaken) -> DomainTaken: ...
@overload
def error_member(error: domain.OidcNotVerified) -> OidcNotVerified: ...
def error_member(error: domain.BeaconError) -> Error:
    """The union member of an expected failure: catch the domain errors that the field's union
    has members for, and return this (the overloads give the member's type to mypy)."""
    for kind, member in _MEMBERS:
        if isinstance(error, kind):
            return member(error)
    raise TypeError(f"no union member stands for {type(error).__name__}") from error


def answer_error(error: domain.BeaconError) -> AnswerError:
    """Any failure of an answer, as the answer stream reports it: a code and a sentence."""
    return AnswerError(message=error.message, code=error.code)
