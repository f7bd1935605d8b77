"""Users, roles, API tokens, passwords and console sessions: who is acting,
for which nation, HQ and role."""

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

__all__ = [
    "CSRF_HEADER",
    "LOCK_FOR",
    "MAX_FAILURES",
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
    "verify_password",
]
