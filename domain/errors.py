"""Beacon's domain errors, translated to GraphQL only at the edge.

BeaconError                    every expected failure; carries a stable `code`
├── InvalidInput               a value breaks a rule (`field` names it)
│   └── WeakPassword           too short, or longer than bcrypt's 72 bytes
├── NotFound                   missing, or not visible to the caller (same answer)
├── Conflict
│   ├── EmailAlreadyRegistered
│   └── DomainTaken            an email domain is another organisation's OIDC already
├── AuthenticationFailed       who you are could not be established
│   ├── InvalidCredentials     wrong email or password (indistinguishable)
│   ├── PasswordSignInDisabled the password matched, but the organisation signs in with OIDC
│   ├── OidcSignInFailed       an OIDC sign-in failed; `code` is one of `OidcFailure`
│   ├── InvalidToken           expired, malformed, revoked or of the wrong kind
│   │   ├── AccountDeactivated  a refresh token of a user an ADMIN deactivated
│   │   └── MissingToken       no refresh token was sent at all
│   └── RefreshTokenReused     a used refresh token came back; its family is revoked
├── PermissionDenied           known caller, not allowed
├── SignUpDisabled
├── OidcDiscoveryFailed        the provider's discovery document is unreachable or wrong
├── OidcNotVerified            passwords cannot be turned off before an OIDC sign-in worked
├── RateLimited                too many attempts; `retry_after` seconds
├── BudgetExceeded             today's answer tokens are spent (per user or organisation)
├── CostBudgetExceeded         the query-cost budget of the window is spent; `remaining`
└── DocumentRejected           a file Beacon will not (or can no longer) ingest; `permanent`
    ├── UnsupportedDocument    not one of the accepted types, whatever its name says
    ├── EmptyDocument          zero bytes, or no text at all
    ├── CorruptDocument        truncated, unreadable, or a hostile archive (zip bomb)
    ├── EncryptedDocument      password-protected
    ├── DocumentTooLarge       over the byte, page, time or memory limit
    ├── FileMissing            the stored file of a document is gone
    └── TransientFailure       a dependency is down; retrying may succeed (not permanent)
        └── VectorStoreUnavailable
"""

from enum import StrEnum


class BeaconError(Exception):
    """Base of every expected failure."""

    code = "ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(BeaconError):
    """A value breaks a rule; `field` names the input field."""

    code = "INVALID_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class WeakPassword(InvalidInput):
    """The password is too short or too long for bcrypt."""

    code = "WEAK_PASSWORD"


class NotFound(BeaconError):
    """Missing, or invisible to the caller; both look the same."""

    code = "NOT_FOUND"


class Conflict(BeaconError):
    """The change clashes with existing data."""

    code = "CONFLICT"


class EmailAlreadyRegistered(Conflict):
    """Another account already uses this email."""

    code = "EMAIL_TAKEN"

    def __init__(self) -> None:
        super().__init__("An account with this email already exists.")


class LastActiveAdmin(Conflict):
    """The change would leave the organisation without an active ADMIN."""

    code = "LAST_ACTIVE_ADMIN"

    def __init__(self) -> None:
        super().__init__(
            "This is the organisation's last active administrator: make another user an "
            "administrator first."
        )


class AuthenticationFailed(BeaconError):
    """The caller's identity could not be established."""

    code = "UNAUTHENTICATED"


class InvalidCredentials(AuthenticationFailed):
    """Wrong email or password; deliberately not saying which."""

    code = "INVALID_CREDENTIALS"

    def __init__(self) -> None:
        super().__init__("Wrong email or password.")


class InvalidToken(AuthenticationFailed):
    """A token that is expired, malformed, revoked or of the wrong kind."""

    code = "INVALID_TOKEN"


class AccountDeactivated(InvalidToken):
    """A refresh token of a deactivated user: its holder is told why the session ended."""

    code = "ACCOUNT_DEACTIVATED"

    def __init__(self) -> None:
        super().__init__("Your account was deactivated; ask an administrator to reactivate it.")


class MissingToken(InvalidToken):
    """A refresh without any token to refresh (a browser whose session cookie is gone)."""

    code = "REFRESH_TOKEN_MISSING"


class RefreshTokenReused(AuthenticationFailed):
    """A refresh token was presented twice; every token of its family is now revoked."""

    code = "REFRESH_TOKEN_REUSED"

    def __init__(self) -> None:
        super().__init__("This refresh token was already used; all sessions from it are revoked.")


class PermissionDenied(BeaconError):
    """A known caller that may not do this."""

    code = "FORBIDDEN"


class SignUpDisabled(BeaconError):
    """Self-service sign-up is switched off."""

    code = "SIGN_UP_DISABLED"

    def __init__(self) -> None:
        super().__init__("Sign-up is disabled; ask an administrator for an account.")


class RateLimited(BeaconError):
    """Too many attempts in the current window."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many attempts; try again in {retry_after} seconds.")
        self.retry_after = retry_after


class CostBudgetExceeded(BeaconError):
    """The caller's or organisation's query-cost budget for the window is spent."""

    code = "COST_BUDGET_EXCEEDED"

    def __init__(self, cost: int, remaining: int, retry_after: int) -> None:
        super().__init__(
            f"Query budget spent: this query costs {cost} and {remaining} remain; "
            f"try again in {retry_after} seconds or ask for fewer items."
        )
        self.cost = cost
        self.remaining = remaining
        self.retry_after = retry_after


class DocumentRejected(BeaconError):
    """A file that cannot be ingested; `permanent` failures are not retried."""

    code = "DOCUMENT_REJECTED"
    permanent = True


class UnsupportedDocument(DocumentRejected):
    """The content is not an accepted type (decided by its bytes, not its name)."""

    code = "UNSUPPORTED_TYPE"


class EmptyDocument(DocumentRejected):
    """Nothing to ingest."""

    code = "EMPTY_FILE"


class CorruptDocument(DocumentRejected):
    """Truncated, unreadable, or hostile content."""

    code = "CORRUPT_FILE"


class EncryptedDocument(DocumentRejected):
    """Password-protected content."""

    code = "ENCRYPTED_FILE"


class DocumentTooLarge(DocumentRejected):
    """Over the byte, page, processing-time or memory limit."""

    code = "TOO_LARGE"


class FileMissing(DocumentRejected):
    """The document's stored file is gone: nothing is left to ingest."""

    code = "FILE_MISSING"


class TransientFailure(DocumentRejected):
    """A dependency failed; the same work may succeed later."""

    code = "TRANSIENT_FAILURE"
    permanent = False


class VectorStoreUnavailable(TransientFailure):
    """The vector store refused or failed a write."""

    code = "VECTOR_STORE_UNAVAILABLE"


class ConversationFull(InvalidInput):
    """The conversation holds as many messages as one may; a new one takes the question."""

    code = "CONVERSATION_FULL"

    def __init__(self, max_messages: int) -> None:
        super().__init__(
            "conversationId",
            f"This conversation has reached its {max_messages} messages; "
            "ask in a new conversation.",
        )


class BudgetExceeded(BeaconError):
    """The daily token budget of the user or the organisation is spent."""

    code = "BUDGET_EXCEEDED"


class DomainTaken(Conflict):
    """An email domain can name one organisation's provider only."""

    code = "DOMAIN_TAKEN"

    def __init__(self, domain: str) -> None:
        super().__init__(f"{domain} already signs in with another organisation's provider.")
        self.field = "allowedDomains"
        self.domain = domain


class PasswordSignInDisabled(AuthenticationFailed):
    """A right password of an organisation that turned password sign-in off (said only after
    the password matched, so it tells nobody else which accounts exist)."""

    code = "PASSWORD_SIGN_IN_DISABLED"

    def __init__(self, provider_name: str) -> None:
        super().__init__(f"Your organization signs in with {provider_name}.")


class OidcFailure(StrEnum):
    """Why an OIDC sign-in failed: the web app's `?signInError=` codes (stable)."""

    NO_PROVIDER = "NO_PROVIDER"
    PROVIDER_UNREACHABLE = "PROVIDER_UNREACHABLE"
    STATE_MISMATCH = "STATE_MISMATCH"
    PROVIDER_REFUSED = "PROVIDER_REFUSED"
    CODE_REJECTED = "CODE_REJECTED"
    TOKEN_INVALID = "TOKEN_INVALID"  # noqa: S105 - a failure code
    EMAIL_NOT_ALLOWED = "EMAIL_NOT_ALLOWED"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    OTHER_ORGANIZATION = "OTHER_ORGANIZATION"


class OidcSignInFailed(AuthenticationFailed):
    """An OIDC sign-in failed; `message` says why in detail, for the log only (never tokens),
    and `failure` is the code the browser is told."""

    def __init__(self, failure: OidcFailure, detail: str) -> None:
        super().__init__(detail)
        self.failure = failure
        self.code = failure.value


class OidcDiscoveryFailed(BeaconError):
    """The issuer's discovery document cannot be fetched, is not one, or names another issuer."""

    code = "OIDC_DISCOVERY_FAILED"


class OidcNotVerified(BeaconError):
    """Turning password sign-in off needs an OIDC provider that has signed someone in."""

    code = "OIDC_NOT_VERIFIED"

    def __init__(self) -> None:
        super().__init__(
            "Configure OIDC and sign in with it once before turning password sign-in off."
        )
