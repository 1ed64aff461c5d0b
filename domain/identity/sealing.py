"""Sealing small values under the secret key: encrypted and authenticated (Fernet), each purpose
under its own key derived with HKDF, so a value sealed for one purpose never opens for another
(an OIDC client secret cannot pass for a sign-in cookie, nor the reverse)."""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CLIENT_SECRET = b"beacon oidc client secret"
SIGN_IN_STATE = b"beacon oidc sign-in state"


class Unsealable(Exception):
    """Tampered with, sealed under another key or purpose, or older than allowed."""


class Sealer:
    """Seals and opens text for one purpose."""

    def __init__(self, secret: str, purpose: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
            secret.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, text: str) -> str:
        """The sealed text (URL-safe ASCII, stamped with the time)."""
        return self._fernet.encrypt(text.encode()).decode("ascii")

    def open(self, sealed: str, max_age_seconds: int | None = None) -> str:
        """The text `seal` was given; `Unsealable` unless it came from `seal` of this key and
        purpose (and, with `max_age_seconds`, no longer ago)."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii"), ttl=max_age_seconds).decode()
        except (InvalidToken, UnicodeError, ValueError) as error:
            raise Unsealable() from error
