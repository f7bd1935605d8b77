"""Cross-nation conflicts go through the ACM (a mixin of the airspace desk).

Exactly one coordination request is opened per cross-nation conflict, by the
nation that changed its measure last, from its measure's HQ to the other
measure's, released to the other nation, with a link (an owned object,
released likewise) that tells both nodes the pair is being coordinated. It is
opened only where both nations see both measures: a request about a measure
one side kept national would disclose it. A measure in a cross-nation
conflict is approved only once the request is concurred (or decided).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.acm import AcmDesk, RequestIn, RequestKind
from alliance.core.authority import Action, Actor, Role, Target, authorize
from alliance.core.errors import AllianceError, NotFound
from alliance.core.ids import new_id
from alliance.core.models import MarkingIn
from alliance.org import hq_chain
from alliance.store.context import DeskContext
from alliance.store.owned import create_owned, released_to, view
from alliance.store.writer import Tx

from .kinds import (
    COORDINATIONS,
    DECONFLICTION,
    Held,
    Pair,
    log,
    log_failure,
)
from .models import CoordinationOut
from .tables import AIRSPACE_COORDINATION, CoordinationRow, VolumeRow


class Coordination:
    """Needs ``ctx``, ``acm``, ``_lock`` and ``_pairs`` of the desk."""

    ctx: DeskContext
    acm: AcmDesk | None
    _lock: threading.Lock
    _pairs: dict[str, dict[str, Pair]]

    def _opener(self, pair: Pair) -> Held | None:
        """The volume whose owner opens the coordination request: the one changed
        last (its owner made the conflict), if both nations see both volumes, and
        if that nation is hosted here. A conflict with a volume one side has not
        released is listed to the side that sees both, and opens nothing: a
        request would disclose what its owner kept national."""
        a, b = pair.a, pair.b
        if not (a.seen_by(b.owner) and b.seen_by(a.owner)):
            return None
        later = max((a, b), key=lambda h: (h.updated, h.id))
        return later if later.owner in self.ctx.hosted else None

    def _coordinate(self, pairs: Sequence[Pair], *, wait: bool) -> None:
        if self.acm is None:
            return
        for pair in pairs:
            mine = self._opener(pair)
            if mine is None:
                continue
            theirs = pair.b if mine is pair.a else pair.a

            def job(tx: Tx, mine: Held = mine, theirs: Held = theirs) -> str | None:
                return self.coordinate_in(tx, mine, theirs)

            if wait:
                try:
                    self.ctx.writer.run(job)
                except AllianceError as e:  # the change itself is committed: say why, go on
                    log.warning("airspace: no coordination request opened: %s", e.message.en)
            else:
                self.ctx.writer.submit(job).add_done_callback(log_failure)

    def coordinate_in(self, tx: Tx, mine: Held, theirs: Held) -> str | None:
        """Open the one coordination request about this pair, from ``mine``'s HQ
        to ``theirs``'s, released to the other nation, and the link both nodes
        read; nothing if the pair has one already or no longer conflicts. Returns
        the request's id."""
        assert self.acm is not None
        s = tx.session
        a, b = sorted((mine.id, theirs.id))
        with self._lock:
            pair = self._pairs.get(a, {}).get(b)
        rows = {i: s.get(VolumeRow, i) for i in (a, b)}
        if pair is None or any(r is None for r in rows.values()):
            return None
        rev_a, rev_b = (rows[i].volume_rev for i in (a, b))  # type: ignore[union-attr]
        if _coordination(s, a, b, rev_a, rev_b) is not None:
            return None  # this pair, as it stands, is being coordinated already
        actor = Actor(
            DECONFLICTION,
            "Airspace deconfliction / 空域デコンフリクション",
            mine.owner,
            mine.hq_id,
            Role.STAFF_OFFICER,
        )
        window = f"{_z(max(mine.start, theirs.start))} – {_z(min(mine.end, theirs.end))}"
        marking = MarkingIn(releasable_to=[theirs.owner])
        request = self.acm.create_request_in(
            tx,
            actor,
            RequestIn(
                kind=RequestKind.ACTIVITY,
                from_hq_id=mine.hq_id,
                to_hq_ids=[theirs.hq_id],
                subject=f"Airspace conflict: {mine.designator} / {theirs.designator}",
                subject_ja=f"空域競合: {mine.designator} / {theirs.designator}",
                body=(
                    f"{mine.designator} ({mine.owner}) and {theirs.designator} ({theirs.owner}) "
                    f"conflict {window}: footprints {pair.distance_m:,.0f} m apart, bands "
                    f"{pair.vertical_gap_ft:,.0f} ft apart, closer than their buffers. Neither is "
                    "approved until this request is concurred. Opened by the node for "
                    f"{mine.hq_id} when {mine.designator} was changed.\n\n"
                    f"{mine.designator}（{mine.owner}）と {theirs.designator}（{theirs.owner}）は "
                    f"{window} に競合しています（水平 {pair.distance_m:,.0f} m、垂直 "
                    f"{pair.vertical_gap_ft:,.0f} ft、いずれも緩衝より近い）。この要請への同意まで"
                    f"どちらも承認されません。{mine.designator} の変更時にノードが {mine.hq_id} "
                    "に代わって起案しました。"
                ),
                marking=marking,
            ),
        )
        self.acm.send_in(tx, actor, request.id)
        link = CoordinationRow(
            id=new_id(), hq_id=mine.hq_id, request_id=request.id, volume_a=a, volume_b=b,
            rev_a=rev_a, rev_b=rev_b,
        )  # fmt: skip
        link_marking = marking.build(mine.owner)
        grant = authorize(
            actor,
            Action.CREATE,
            Target(
                AIRSPACE_COORDINATION.name, link.id, mine.owner, link_marking,
                hq_chain(s, mine.hq_id),
            ),
            hosted=self.ctx.hosted,
        )  # fmt: skip
        create_owned(
            tx, COORDINATIONS, link, owner=mine.owner, marking=link_marking, actor=actor,
            grant=grant, event="airspace.coordination.opened",
        )  # fmt: skip
        return request.id

    def _outcome(self, s: Session, row: VolumeRow, other: str) -> tuple[str | None, str]:
        """The coordination request about ``row`` and ``other`` as they stand (a
        request about an earlier revision of either volume does not count) and
        its status."""
        a, b = sorted((row.id, other))
        other_row = s.get(VolumeRow, other)
        if other_row is None:
            return None, "none"
        revs = {row.id: row.volume_rev, other: other_row.volume_rev}
        link = _coordination(s, a, b, revs[a], revs[b])
        if link is None or self.acm is None:
            return None, "none"
        reader = Actor(DECONFLICTION, "Airspace deconfliction", row.owner, row.hq_id, Role.VIEWER)
        try:
            return link.request_id, self.acm.thread(reader, link.request_id).request.status
        except NotFound:
            return link.request_id, "none"

    # -- proposing, approving, withdrawing --------------------------------------

    def coordinations(self, actor: Actor) -> list[CoordinationOut]:
        with self.ctx.db.read() as s:
            rows = s.scalars(
                released_to(select(CoordinationRow), CoordinationRow, actor.nation).order_by(
                    CoordinationRow.id
                )
            )
            return [view(CoordinationOut, r) for r in rows]

    def coordination(self, actor: Actor, ident: str) -> CoordinationOut:
        with self.ctx.db.read() as s:
            return view(CoordinationOut, COORDINATIONS.find(s, actor.nation, ident, "id"))


def _coordination(s: Session, a: str, b: str, rev_a: int, rev_b: int) -> CoordinationRow | None:
    """The link about volumes ``a`` and ``b`` at these revisions, if one exists."""
    return s.scalars(
        select(CoordinationRow).where(
            CoordinationRow.volume_a == a,
            CoordinationRow.volume_b == b,
            CoordinationRow.rev_a == rev_a,
            CoordinationRow.rev_b == rev_b,
        )
    ).first()


def _z(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%MZ")
