"""Users, roles and API tokens: who is acting, for which nation, HQ and role."""

from .users import TOKEN_PREFIX, UserDesk, UserIn, UserOut, hash_token

__all__ = ["TOKEN_PREFIX", "UserDesk", "UserIn", "UserOut", "hash_token"]
