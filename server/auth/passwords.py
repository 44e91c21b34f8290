"""Password hashing (argon2id) and the configurable password policy."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's "low memory" profile: argon2id, 64 MiB, 3 passes.
_hasher = PasswordHasher()

# A hash to verify against when the account does not exist, so that a wrong e-mail costs
# the same time as a wrong password and does not reveal who has an account.
_DUMMY_HASH = _hasher.hash("plaza: no such account")

MAX_LENGTH = 256


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("server.auth").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def character_classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 10
    min_classes: int = 2

    def problems(self, password: str, email: str = "") -> list[tuple[str, dict[str, int]]]:
        """Message keys (with parameters) for every rule the password breaks; empty if none."""
        found: list[tuple[str, dict[str, int]]] = []
        if len(password) < self.min_length:
            found.append(("password.too_short", {"min": self.min_length}))
        if len(password) > MAX_LENGTH:
            found.append(("password.too_long", {"max": MAX_LENGTH}))
        if character_classes(password) < self.min_classes:
            found.append(("password.classes", {"min": self.min_classes}))
        if password.lower() in common_passwords():
            found.append(("password.common", {}))
        local = email.split("@")[0].lower()
        if len(local) >= 4 and local in password.lower():
            found.append(("password.contains_email", {}))
        return found
