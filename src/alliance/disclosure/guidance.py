"""Standing disclosure guidance: what staff may release without a proposal each time.

A nation's foreign disclosure officer (the node's disclosure role) issues
guidance: objects of these types may be released to these nations, from now
(or a given time) until a given time or until revoked. Creating or sending an
object released beyond its owner, or widening an object's release, is then
allowed when the owner's guidance covers the type and every nation added,
and the event records which guidance it rested on
(:mod:`alliance.store.release_gate`, which this module's :func:`covering`
is installed into). Anything else goes through a proposal.

Guidance is national-only: it is the owning nation's own policy, never sent to
a partner.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core import release
from alliance.core.authority import Actor, Target, authorize_disclosure
from alliance.core.dtg import utcnow
from alliance.core.errors import Conflict, InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.markings import Marking, check_nation
from alliance.core.models import TimeOut
from alliance.store import release_gate
from alliance.store.memo import forget_on_write, memo
from alliance.store.owned import (
    OwnedKind,
    check_version,
    create_owned,
    record,
    released_to,
    snapshot,
    touch,
    view,
)
from alliance.store.writer import Tx

from .models import GuidanceIn, GuidanceOut, ProposalDecisionIn
from .tables import DISCLOSURE_GUIDANCE, DISCLOSURE_PROPOSAL, GuidanceRow

if TYPE_CHECKING:
    from alliance.store.context import DeskContext

GUIDANCE: OwnedKind[GuidanceRow] = OwnedKind(DISCLOSURE_GUIDANCE, lambda _s, _row: ())
# The disclosure desk's own records are national (``national_only`` on their types).
NATIONAL_ONLY = frozenset({DISCLOSURE_PROPOSAL.name, DISCLOSURE_GUIDANCE.name})


def _active(row: GuidanceRow, now: datetime) -> bool:
    return (
        row.revoked_at is None
        and row.valid_from <= now
        and (row.valid_until is None or now < row.valid_until)
    )


def guidance_view(row: GuidanceRow, now: datetime) -> GuidanceOut:
    return view(
        GuidanceOut,
        row,
        releasable_to=sorted(release.rel_nations(row.add_rel)),
        object_types=list(row.object_types),
        valid_from=TimeOut.of(row.valid_from),
        valid_until=TimeOut.maybe(row.valid_until),
        revoked=TimeOut.maybe(row.revoked_at),
        active=_active(row, now),
    )


def covering(
    s: Session, owner: str, object_type: str, nations: frozenset[str], now: datetime
) -> tuple[list[str], frozenset[str]]:
    """The ids of ``owner``'s guidance in force at ``now`` that cover releasing
    ``object_type`` to some of ``nations``, and the nations none of it covers."""
    left, used = set(nations), []
    for row in _unrevoked(s, owner):
        if row.valid_from > now or (row.valid_until is not None and row.valid_until <= now):
            continue
        got = left & release.rel_nations(row.add_rel) if object_type in row.object_types else set()
        if got:
            used.append(row.id)
            left -= got
    return used, frozenset(left)


def _unrevoked(s: Session, owner: str) -> list[GuidanceRow]:
    """``owner``'s guidance not revoked, by id; kept in the session's memo
    until guidance is written (a job releasing many objects asks once)."""
    known = memo(s, _MEMO)
    rows: list[GuidanceRow] | None = known.get(owner)
    if rows is None:
        stmt = select(GuidanceRow).where(
            GuidanceRow.owner == owner, GuidanceRow.revoked_at.is_(None)
        )
        rows = known[owner] = list(s.scalars(stmt.order_by(GuidanceRow.id)))
    return rows


_MEMO = "disclosure.guidance"
forget_on_write(_MEMO, GuidanceRow)
release_gate.install(covering)


def not_releasable(name: str, known: list[str], field: str) -> InvalidInput:
    """``name`` is not one of the ``known`` types of object this node releases."""
    listed = ", ".join(known)
    return InvalidInput(
        Text(
            f"'{name}' is not a kind of object this node releases ({listed}).",
            f"「{name}」はこのノードが提供する対象の種類ではありません（{listed}）。",
        ),
        field=field,
        code="invalid_object_type",
    )


class GuidanceDesk:
    """The guidance half of the disclosure desk."""

    ctx: DeskContext

    def _types(self, names: list[str]) -> list[str]:
        known = self.ctx.types.releasable()
        for i, name in enumerate(names):
            if name not in known:
                raise not_releasable(name, known, f"object_types.{i}")
        return sorted(set(names))

    def issue_guidance(self, actor: Actor, data: GuidanceIn) -> GuidanceOut:
        return self.ctx.writer.run(lambda tx: self.issue_guidance_in(tx, actor, data))

    def issue_guidance_in(self, tx: Tx, actor: Actor, data: GuidanceIn) -> GuidanceOut:
        """Issue guidance: only the node's disclosure role, for its own nation."""
        grant = authorize_disclosure(
            actor,
            Target(DISCLOSURE_GUIDANCE.name, "new", actor.nation, Marking.national(actor.nation)),
            hosted=self.ctx.hosted,
            role=self.ctx.disclosure_role,
        )
        types = self._types(data.object_types)
        nations = {
            check_nation(n, field=f"releasable_to.{i}") for i, n in enumerate(data.releasable_to)
        } - {actor.nation}
        if not nations:
            raise InvalidInput(
                Text(
                    f"Guidance names the nations beyond {actor.nation} that may receive the "
                    "objects; none was given.",
                    f"開示基準には{actor.nation}以外の提供先を指定してください。",
                ),
                field="releasable_to",
                code="no_partner_nation",
            )
        start = data.valid_from or tx.now
        if data.valid_until is not None and data.valid_until <= start:
            raise InvalidInput(
                Text(
                    "valid_until must be after valid_from.",
                    "有効期限（valid_until）は開始（valid_from）より後にしてください。",
                ),
                field="valid_until",
                code="invalid_period",
            )
        row = GuidanceRow(
            id=new_id(),
            object_types=types,
            add_rel=release.rel_text(sorted(nations)),
            note=data.note,
            issued_by=actor.user_id,
            issued_by_name=actor.name,
            valid_from=start,
            valid_until=data.valid_until,
            revoked_at=None,
            revoked_by=None,
        )
        create_owned(
            tx,
            GUIDANCE,
            row,
            owner=actor.nation,
            marking=Marking.national(actor.nation),
            actor=actor,
            grant=grant,
            event="disclosure.guidance.issued",
        )
        return guidance_view(row, tx.now)

    def revoke_guidance(
        self, actor: Actor, guidance_id: str, data: ProposalDecisionIn
    ) -> GuidanceOut:
        return self.ctx.writer.run(lambda tx: self.revoke_guidance_in(tx, actor, guidance_id, data))

    def revoke_guidance_in(
        self, tx: Tx, actor: Actor, guidance_id: str, data: ProposalDecisionIn
    ) -> GuidanceOut:
        """Revoke at once: from now on it covers nothing (releases made under it stand)."""
        row = GUIDANCE.find(tx.session, actor.nation, guidance_id)
        grant = authorize_disclosure(
            actor,
            Target(DISCLOSURE_GUIDANCE.name, row.id, row.owner, row.marking),
            hosted=self.ctx.hosted,
            role=self.ctx.disclosure_role,
        )
        check_version(row, data.version)
        if row.revoked_at is not None:
            raise Conflict(
                Text(
                    f"Disclosure guidance '{row.id}' is already revoked.",
                    f"開示基準「{row.id}」は既に取り消されています。",
                ),
                field="state",
                code="invalid_state",
            )
        before = snapshot(row)
        row.revoked_at = tx.now
        row.revoked_by = actor.user_id
        if snapshot(row) != before:
            touch(row, tx.now)
            extra = {"note": data.note} if data.note else None
            record(
                tx, row, GUIDANCE.object_type, "disclosure.guidance.revoked", actor, grant, extra
            )
        return guidance_view(row, tx.now)

    def list_guidance(self, actor: Actor, *, active_only: bool = False) -> list[GuidanceOut]:
        """The guidance of the actor's nation (any of its users may read what it allows)."""
        now = utcnow()
        with self.ctx.db.read() as s:
            rows = s.scalars(
                released_to(select(GuidanceRow), GuidanceRow, actor.nation)
                .where(GuidanceRow.owner == actor.nation)
                .order_by(GuidanceRow.id)
            )
            out = [guidance_view(r, now) for r in rows]
        return [g for g in out if g.active] if active_only else out


__all__ = ["GUIDANCE", "GuidanceDesk", "covering"]
