"""The release gate: releasing an object beyond its owner is a disclosure decision.

Whoever creates an object released to other nations, or widens an object's
release (a draft coordination request sent, a marking edited), discloses the
owning nation's information. That is allowed only

- under the owning nation's standing disclosure guidance that covers the
  object's type and every nation added (the disclosure desk keeps it and
  installs the lookup here: :func:`install`), recorded in the event; or
- through a disclosure proposal approved by the nation's foreign disclosure
  officer (:func:`alliance.store.owned.widen_owned`, which does not pass here).

Otherwise the write is refused with ``disclosure_required``. Writes by no user
(the node loading its public-facts seed, federation applying a partner's
objects, schema upgrades) decide no release and are not gated. Until a
lookup is installed every user release beyond the owner is refused: the gate
fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from alliance.core.authority import Actor, Target, disclosure_required
from alliance.core.markings import Marking

Lookup = Callable[[Session, str, str, frozenset[str], datetime], tuple[list[str], frozenset[str]]]
"""``(session, owner, object type, nations, now)`` → the ids of the owner's
standing guidance in force that covers releasing that type to some of
``nations``, and the nations none covers."""

_lookup: list[Lookup] = []


def install(lookup: Lookup) -> None:
    """Install the guidance lookup (the disclosure desk does, once imported)."""
    _lookup[:] = [lookup]


def check(
    session: Session,
    actor: Actor | None,
    target: Target,
    before: frozenset[str],
    after: Marking,
    now: datetime,
    *,
    creating: bool,
) -> dict[str, Any] | None:
    """Raise ``disclosure_required`` unless releasing ``target`` with ``after``
    (it was released to ``before``) is covered; the ``disclosure`` record for
    the event when guidance covered it, ``None`` when nothing was widened."""
    added = frozenset(after.releasable_to - before - {target.owner})
    if not added or actor is None:
        return None
    covering, uncovered = (
        _lookup[0](session, target.owner, target.kind, added, now) if _lookup else ([], added)
    )
    if uncovered:
        raise disclosure_required(target, uncovered, creating=creating)
    return {"disclosure": {"guidance": covering, "added": sorted(added)}}


__all__ = ["Lookup", "check", "install"]
