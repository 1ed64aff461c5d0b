"""bcrypt password hashing, always off the event loop."""

import asyncio

import bcrypt

from domain.errors import WeakPassword

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5 refuses) anything past 72 bytes


def check_password_policy(password: str, field: str = "password") -> None:
    """Refuse passwords bcrypt cannot hash faithfully or that are too short to resist guessing."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(field, f"Use at least {MIN_PASSWORD_CHARS} characters.")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise WeakPassword(field, f"Use at most {MAX_PASSWORD_BYTES} bytes (UTF-8).")


class PasswordHasher:
    """Hashes and verifies passwords in a worker thread so requests keep flowing."""

    def __init__(self, rounds: int = 12) -> None:
        self._rounds = rounds
        # Verifying against this when an email is unknown makes that answer take as long
        # as a wrong password, so timing does not reveal which accounts exist.
        self._decoy = bcrypt.hashpw(b"decoy password never used", bcrypt.gensalt(rounds))

    async def hash(self, password: str) -> str:
        """A bcrypt hash of a password that passed `check_password_policy`."""
        check_password_policy(password)
        salt = bcrypt.gensalt(self._rounds)
        hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode(), salt)
        return hashed.decode()

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """Whether `password` matches; no hash, or over 72 bytes, means no after the same work."""
        encoded = password.encode()
        # bcrypt reads only 72 bytes, so a stored 72-byte password plus any suffix would match.
        # No stored password is longer (the policy refuses them), so a longer one is wrong;
        # it still pays for the same check against the same hash, its answer thrown away, so
        # its timing cannot tell it apart from a wrong password. Cut to 72 bytes because
        # bcrypt 5 raises on anything longer.
        too_long = len(encoded) > MAX_PASSWORD_BYTES
        candidate = encoded[:MAX_PASSWORD_BYTES]
        if password_hash is None:
            await asyncio.to_thread(bcrypt.checkpw, candidate, self._decoy)
            return False
        matches = await asyncio.to_thread(bcrypt.checkpw, candidate, password_hash.encode())
        return matches and not too_long
