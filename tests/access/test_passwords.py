"""Password hashing: argon2id, salted, and a wrong password never matches."""

from __future__ import annotations

import pytest

from alliance.access import hash_password, verify_password
from alliance.access.signin import check_password_rules, check_username
from alliance.core.errors import InvalidInput


def test_a_password_is_kept_as_a_salted_argon2id_hash() -> None:
    first = hash_password("correct horse battery")
    second = hash_password("correct horse battery")
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "correct horse" not in first
    assert first != second  # a new salt each time
    assert verify_password(first, "correct horse battery")
    assert verify_password(second, "correct horse battery")
    assert not verify_password(first, "correct horse batterY")
    assert not verify_password(None, "correct horse battery")  # no password set
    assert not verify_password("not a hash", "correct horse battery")


def test_a_short_password_or_odd_username_is_refused_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as short:
        check_password_rules("short")
    assert short.value.field == "password"
    assert "10" in short.value.message.en
    assert "10" in short.value.message.ja
    with pytest.raises(InvalidInput) as odd:
        check_username("sa to")
    assert odd.value.field == "username"
    assert check_username(" Sato.K ") == "sato.k"
