"""Password hashing with argon2id (argon2-cffi's default type)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hashes and checks passwords with the given argon2id parameters (the
    app's ARGON2_PARAMETERS: OWASP's recommended setting; argon2-cffi's
    defaults when none are given).
    Built once and shared: it holds no per-user state."""

    def __init__(self, **parameters):
        self._hasher = PasswordHasher(**parameters)
        # Verified against when no account matches, so a wrong login name
        # costs as much time as a wrong password and does not reveal which
        # accounts exist.
        self._dummy_hash = self._hasher.hash("not-a-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than these."""
        return self._hasher.check_needs_rehash(password_hash)

    def dummy_verify(self, password: str) -> None:
        self.verify(self._dummy_hash, password)
