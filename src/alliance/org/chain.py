"""The chain of command inside one nation, as other desks may read it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .tables import HqRow


def hq_chain(session: Session, hq_id: str) -> tuple[str, ...]:
    """The HQ and its superiors in the same nation, nearest first."""
    chain: list[str] = []
    current: str | None = hq_id
    while current is not None and current not in chain:
        row = session.get(HqRow, current)
        if row is None:
            break
        chain.append(row.id)
        current = row.parent_id
    return tuple(chain)


def hq_owner(session: Session, hq_id: str) -> str | None:
    """The nation that owns the HQ held here, or None when there is none."""
    row = session.get(HqRow, hq_id)
    return None if row is None else row.owner
