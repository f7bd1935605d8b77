"""The chain of command inside one nation, as other desks may read it.

An HQ's chain is the HQ, its superiors in the structure (parents), and the
HQs that hold an active OPCON relationship over any of them, with their own
superiors: operational control is authority to direct, so an HQ under another
HQ's OPCON is also in that HQ's chain (for example USFJ over a component,
under the exercise assumption). Command relationships never cross nations, so
the chain stays inside one nation.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.store.memo import forget_on_write, memo

from .tables import CommandRelationshipRow, HqRow

_MEMO = "org.hq_chain"
forget_on_write(_MEMO, HqRow, CommandRelationshipRow)


def parent_chain(session: Session, hq_id: str) -> tuple[str, ...]:
    """The HQ and its superiors in the structure only, nearest first."""
    chain: list[str] = []
    current: str | None = hq_id
    while current is not None and current not in chain:
        row = session.get(HqRow, current)
        if row is None:
            break
        chain.append(row.id)
        current = row.parent_id
    return tuple(chain)


def _opcon_superiors(session: Session, hq_ids: list[str]) -> list[str]:
    rel = CommandRelationshipRow
    stmt = (
        select(rel.superior_id)
        .where(
            rel.kind == "opcon",
            rel.state == "active",
            rel.superior_kind == "hq",
            rel.subordinate_kind == "hq",
            rel.subordinate_id.in_(hq_ids),
        )
        .order_by(rel.superior_id)
    )
    return list(session.scalars(stmt))


def hq_chain(session: Session, hq_id: str) -> tuple[str, ...]:
    """The HQ, its superiors, and the HQs holding active OPCON over any of
    them (with their superiors), nearest first.

    Kept in the session's memo (:mod:`alliance.store.memo`) until an HQ or a
    command relationship is written: a job writing many objects under one
    HQ asks for its chain once."""
    known = memo(session, _MEMO)
    found: tuple[str, ...] | None = known.get(hq_id)
    if found is None:
        found = known[hq_id] = _hq_chain(session, hq_id)
    return found


def _hq_chain(session: Session, hq_id: str) -> tuple[str, ...]:
    chain = list(parent_chain(session, hq_id))
    frontier = list(chain)
    while frontier:
        added: list[str] = []
        for superior in _opcon_superiors(session, frontier):
            for ident in parent_chain(session, superior):
                if ident not in chain:
                    chain.append(ident)
                    added.append(ident)
        frontier = added
    return tuple(chain)


def hq_owner(session: Session, hq_id: str) -> str | None:
    """The nation that owns the HQ held here, or None when there is none."""
    row = session.get(HqRow, hq_id)
    return None if row is None else row.owner
