from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from server.auth.passwords import (
    PasswordPolicy,
    character_classes,
    common_passwords,
    hash_password,
    verify_password,
)

POLICY = PasswordPolicy(min_length=10, min_classes=3)
ALPHABET = string.ascii_letters + string.digits + "!@#$%^&*()-_=+ёЖ"


@given(st.text(alphabet=ALPHABET, min_size=0, max_size=40))
def test_policy_accepts_exactly_the_passwords_that_meet_every_rule(password: str) -> None:
    problems = {key for key, _ in POLICY.problems(password)}
    assert ("password.too_short" in problems) == (len(password) < 10)
    assert ("password.classes" in problems) == (character_classes(password) < 3)
    assert ("password.common" in problems) == (password.lower() in common_passwords())
    if (
        len(password) >= 10
        and character_classes(password) >= 3
        and password.lower() not in common_passwords()
    ):
        assert problems == set()


@given(st.sampled_from(sorted(common_passwords())))
def test_every_shipped_common_password_is_refused(password: str) -> None:
    loose = PasswordPolicy(min_length=6, min_classes=1)
    assert "password.common" in {k for k, _ in loose.problems(password.upper())}


def test_password_containing_the_mail_name_is_refused() -> None:
    problems = {k for k, _ in POLICY.problems("Ivanova-2026!x", "ivanova@example.com")}
    assert "password.contains_email" in problems


@settings(max_examples=5, deadline=None)  # argon2 takes ~50 ms per hash on purpose
@given(st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=30))
def test_hash_verifies_only_its_own_password(password: str, other: str) -> None:
    hashed = hash_password(password)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, password)
    assert verify_password(hashed, other) == (other == password)


def test_no_hash_never_verifies() -> None:
    assert not verify_password(None, "anything")
