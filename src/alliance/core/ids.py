"""Identifiers: server-chosen ULIDs, and client-chosen ids in the owner's namespace.

Generated ids are ULIDs in lower case (26 characters, time-ordered, no
hyphen). Ids a client chooses (an HQ, a unit, a working group; the entries of
an org document such as the seed) are readable slugs that begin with the
owner nation's lower-case trigraph and a hyphen: ``jpn-jjoc``, ``usa-5af``.

The namespace makes an object's identity include its owner: no honest node
can create an id in another nation's namespace, so two nations never choose
the same id, and a partner that sends one is refused by the receiver. It
also keeps creation from being an oracle: an id outside the caller's
namespace is refused before anything is looked up, so the answer is the same
whether or not another nation's object (perhaps one the caller may not see)
holds it.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from functools import cache

from .errors import Conflict, InvalidInput
from .i18n import Text
from .markings import check_nation

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

# Crockford's base32 in lower case (the ULID alphabet), two digits (10 bits) at a time.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_SHIFTS = tuple(range(120, -1, -10))  # 26 digits are 130 bits: two zero bits, then the 128
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = 0  # the previous ULID as a 128-bit number


def new_id() -> str:
    """A new time-sortable id: a ULID (48-bit millisecond time, 80 random bits).

    Monotonic as python-ulid's default generator is: within one millisecond
    each id is the previous one plus one. Every event gets one, so this is
    encoded directly instead of through :class:`ulid.ULID` (about 3x cheaper).
    """
    global _last
    ms = time.time_ns() // 1_000_000
    with _lock:
        if ms == _last >> _RANDOM_BITS:
            value = _last + 1
            if value >> _RANDOM_BITS != ms:
                raise ValueError("Randomness within same millisecond exhausted")
        else:
            value = (ms << _RANDOM_BITS) | int.from_bytes(os.urandom(10), "big")
        _last = value
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])


def is_valid_id(value: str) -> bool:
    return bool(_ID.match(value))


_NAMESPACED = re.compile(r"^([a-z]{3})-.")


@cache
def _nation_of(prefix: str) -> str | None:
    try:
        return check_nation(prefix.upper())
    except InvalidInput:
        return None


def namespace_of(object_id: str) -> str | None:
    """The nation whose namespace ``object_id`` is in (``"jpn-jjoc"`` -> ``"JPN"``),
    or None: a ULID, or a prefix that is not an ISO 3166-1 alpha-3 code."""
    found = _NAMESPACED.match(object_id)
    return _nation_of(found.group(1)) if found else None


def namespace_prefix(owner: str) -> str:
    """What every client-chosen id of ``owner``'s objects begins with: ``"jpn-"``."""
    return f"{owner.lower()}-"


def check_client_id(owner: str, object_id: str, field: str = "id") -> str:
    """``object_id`` if it is in ``owner``'s namespace; otherwise 422 ``id_outside_namespace``.

    Decided from the id alone: nothing is looked up, so the answer says nothing
    about which ids exist.
    """
    prefix = namespace_prefix(owner)
    if namespace_of(object_id) == owner.upper() and object_id.startswith(prefix):
        return object_id
    raise InvalidInput(
        Text(
            f"'{object_id}' is not in {owner}'s namespace: an id chosen for an object of "
            f"{owner} begins with '{prefix}'; leave the id out to have one chosen for you.",
            f"「{object_id}」は{owner}の名前空間にありません。{owner}の対象に指定するIDは"
            f"「{prefix}」で始めてください。IDを省略すると自動で付与されます。",
        ),
        field=field,
        code="id_outside_namespace",
    )


def claim_id(
    owner: str, requested: str | None, exists: Callable[[str], bool], field: str = "id"
) -> str:
    """The id of a new object of ``owner``: a new ULID, or the client's choice.

    A client's choice must be in the owner's namespace (checked first, before
    ``exists`` is asked); within it, an id already taken is 409 ``duplicate_id``.
    That reveals nothing: every object in a nation's namespace is that nation's
    own, and a nation's own objects are always visible to its own users.
    """
    if requested is None:
        return new_id()
    check_client_id(owner, requested, field)
    if exists(requested):
        raise Conflict(
            Text(f"'{requested}' already exists.", f"「{requested}」は既に存在します。"),
            field=field,
            code="duplicate_id",
        )
    return requested


__all__ = [
    "check_client_id",
    "claim_id",
    "is_valid_id",
    "namespace_of",
    "namespace_prefix",
    "new_id",
]
