"""Sortable identifiers.

Generated ids are ULIDs in lower case (26 characters, time-ordered). Seeded
reference objects use stable, readable slugs such as ``jpn-jjoc`` so that every
node that loads the seed names them the same way.
"""

from __future__ import annotations

import re

from ulid import ULID

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def new_id() -> str:
    """A new time-sortable id."""
    return str(ULID()).lower()


def is_valid_id(value: str) -> bool:
    return bool(_ID.match(value))
