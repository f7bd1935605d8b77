"""Users, roles, API tokens, passwords and console sessions: who is acting,
for which nation, HQ and role."""

from alliance.core.i18n import Text

from .signin import (
    CSRF_HEADER,
    LOCK_FOR,
    MAX_FAILURES,
    SESSION_FOR,
    SESSION_PREFIX,
    NewSession,
    SignIn,
    csrf_token,
    hash_password,
    verify_password,
)
from .users import NODE_MARK, TOKEN_PREFIX, UserDesk, UserIn, UserOut, hash_token

# The nations' names as their people write them (日本/米国 in Japanese).
NATION_NAMES: dict[str, Text] = {
    "JPN": Text("Japan", "日本"),
    "USA": Text("United States", "米国"),
}


def nation_name(code: str) -> Text:
    """A nation's name in both languages (the code itself for one not listed)."""
    return NATION_NAMES.get(code, Text(code, code))


__all__ = [
    "CSRF_HEADER",
    "LOCK_FOR",
    "MAX_FAILURES",
    "NATION_NAMES",
    "NODE_MARK",
    "SESSION_FOR",
    "SESSION_PREFIX",
    "TOKEN_PREFIX",
    "NewSession",
    "SignIn",
    "UserDesk",
    "UserIn",
    "UserOut",
    "csrf_token",
    "hash_password",
    "hash_token",
    "nation_name",
    "verify_password",
]
