"""Sortable identifiers.

Generated ids are ULIDs in lower case (26 characters, time-ordered). Seeded
reference objects use stable, readable slugs such as ``jpn-jjoc`` so that every
node that loads the seed names them the same way.
"""

from __future__ import annotations

import os
import re
import threading
import time

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
