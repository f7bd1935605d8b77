"""Coordination: who takes part, who speaks for a nation, whose word counts,
and the delegation of concurrence authority."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from ..i18n import Text
from ..markings import Marking
from .base import (
    ROLE_NAMES,
    ROLES_FOR,
    Action,
    Actor,
    Grant,
    Role,
    Target,
    _deny,
    authorize,
    in_chain,
)

# -- coordination: who takes part, who speaks for a nation, whose word counts --


def require_participant(actor: Actor, participants: Collection[str], what: Text) -> None:
    """Only a participating nation (the sender, or a nation addressed) acknowledges
    a coordination or takes a position on it; any nation it is released to may
    comment."""
    if actor.nation not in participants:
        raise _deny(
            "not_participant",
            f"{actor.nation} is not a participant in this {what.en}; it may only comment.",
            f"{actor.nation}はこの{what.ja}の当事国ではありません。意見のみ可能です。",
        )


def require_member(actor: Actor, members: Collection[str], what: Text) -> None:
    """Only a member nation of a standing body (a working group) schedules its
    meetings and holds its action items; any nation it is released to may read."""
    if actor.nation not in members:
        raise _deny(
            "not_member",
            f"{actor.nation} is not a member of this {what.en}.",
            f"{actor.nation}はこの{what.ja}のメンバーではありません。",
        )


def require_speaks_for(actor: Actor, hq_id: str, chain: Collection[str], what: Text) -> None:
    """A nation's position (concur, concur with comment, non-concur) comes from the
    HQ it takes part through (``hq_id``) or a superior of it (``chain``)."""
    if not in_chain(actor, chain):
        raise _deny(
            "not_in_chain",
            f"{actor.hq_id} does not speak for {actor.nation} in this {what.en}; "
            f"the position must come from {hq_id} or a superior HQ.",
            f"{actor.hq_id}はこの{what.ja}で{actor.nation}を代表しません。"
            f"立場の表明は{hq_id}またはその上級司令部が行います。",
        )


def concurrence_counts(role: str, *, delegated: bool = False) -> bool:
    """Whether a concurrence given by a user of ``role`` commits the nation, and so
    counts towards a decision: the roles that may concur (commanders), or a staff
    officer concurring by direction (``delegated``: under a delegation in force,
    see :func:`delegation_in_force`). ``role`` is as recorded on the response (a
    partner's node recorded it)."""
    if role in {r.value for r in ROLES_FOR[Action.CONCUR]}:
        return True
    return delegated and role in {r.value for r in DELEGATES}


def can_view(actor: Actor, marking: Marking) -> bool:
    return marking.releases_to(actor.nation)


# == Delegation of concurrence authority ("by direction" / 命により) ============
#
# A commander may delegate the authority to concur for their HQ to a named
# staff officer of that HQ, at one ACM level (ACG, BOCC, CCC) and for a period;
# the delegation is recorded and revocable. A staff officer concurs only under a
# delegation in force when the position is given; such a concurrence commits the
# nation like the commander's. A revoked or expired delegation gives nothing: the
# staff officer's position is refused. Revocation is not retroactive: a position
# given while the delegation was in force stands until superseded (the commander
# states a new position).

# Who delegates, and to whom.
DELEGATORS = frozenset({Role.COMMANDER})
DELEGATES = frozenset({Role.STAFF_OFFICER})


@dataclass(frozen=True, slots=True)
class Delegation:
    """A delegation of concurrence authority, as the rule sees it."""

    ident: str
    nation: str
    hq_id: str
    commander: str  # the delegating commander's name
    delegate_id: str
    level: str
    valid_from: datetime
    valid_until: datetime
    revoked_at: datetime | None = None

    def in_force(self, at: datetime, level: str) -> bool:
        """Whether it covers a position at ``level`` given at ``at``."""
        if self.level != level or not self.valid_from <= at < self.valid_until:
            return False
        return self.revoked_at is None or at < self.revoked_at


def require_may_delegate(actor: Actor, delegate_nation: str, delegate_hq: str, role: str) -> None:
    """A commander delegates to a staff officer of their own HQ (and nation)."""
    if actor.role not in DELEGATORS:
        raise _deny(
            "role_not_authorized",
            f"Only a commander delegates the authority to concur; a "
            f"{ROLE_NAMES[actor.role].en} may not.",
            f"同意の権限を委任できるのは指揮官のみです（{ROLE_NAMES[actor.role].ja}は不可）。",
        )
    if role not in {r.value for r in DELEGATES}:
        raise _deny(
            "delegate_not_staff",
            "Concurrence authority is delegated to a named staff officer only.",
            "同意の権限は指名された幕僚にのみ委任できます。",
        )
    if delegate_nation != actor.nation or delegate_hq != actor.hq_id:
        raise _deny(
            "delegate_not_own_staff",
            f"A commander delegates to the staff of their own HQ ({actor.hq_id}).",
            f"指揮官は自らの司令部（{actor.hq_id}）の幕僚にのみ委任できます。",
        )


def authorize_position(
    actor: Actor,
    target: Target,
    level: str,
    at: datetime,
    delegations: Iterable[Delegation],
    *,
    hosted: Iterable[str],
) -> tuple[Grant, Delegation | None]:
    """Allow ``actor`` to state a nation's position (concur, concur with comment,
    non-concur) on ``target``, coordinated at ``level``, at ``at``: a commander on
    their own authority, a staff officer by direction under a delegation of
    ``delegations`` in force (returned, to be recorded with the position).
    Raises :class:`Forbidden` otherwise."""
    if actor.role in ROLES_FOR[Action.CONCUR] or actor.role not in DELEGATES:
        return authorize(actor, Action.CONCUR, target, hosted=hosted), None
    grant = authorize(actor, Action.COMMENT, target, hosted=hosted)  # released to the actor
    for d in delegations:
        if (
            d.delegate_id == actor.user_id
            and d.nation == actor.nation
            and d.hq_id == actor.hq_id
            and d.in_force(at, level)
        ):
            basis = f"{grant.basis}, by direction of {d.commander} (delegation {d.ident})"
            return Grant(rule=f"{target.kind}.{Action.CONCUR.value}", basis=basis), d
    raise _deny(
        "no_delegation",
        f"A staff officer states a position only by direction of the commander: no "
        f"delegation of concurrence authority at the {level.upper()} level is in force "
        f"for you (none was given, or it expired or was revoked).",
        f"幕僚は、指揮官から同意権限の委任を受けた場合にのみ「命により」立場を表明できます。"
        f"{level.upper()}レベルの委任が有効ではありません（委任がない、期限切れ、または取消し済み）。",
    )
