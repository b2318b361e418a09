"""Password hashing with argon2id (argon2-cffi's default type)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context


def _hasher() -> PasswordHasher:
    params = current_app.config.get("ARGON2_PARAMETERS", {}) if has_app_context() else {}
    return PasswordHasher(**params)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# Verified against when no account matches, so a wrong login name costs
# as much time as a wrong password and does not reveal which accounts exist.
def dummy_verify(password: str) -> None:
    verify_password(hash_password("not-a-password"), password)
