"""The COP desk: position reports in, the released picture out.

A report is accepted only from a user of a nation hosted here, and always
creates or moves that nation's own track under the uid: a track is identified
by (owner, uid), so a partner's track can be seen, never moved, and whether
another nation holds a uid is never revealed by the answer to a report. Every
consumer — the API, the TAK server, exports, the console — reads the picture
through :meth:`CopDesk.picture`, which applies the marking of each track and
shows one track per uid (see :mod:`alliance.cop.hub`).

Tracks are a feed beside the ledger, not ledger objects: :meth:`CopDesk.report`
publishes at once. Another desk's writer job reports through the transaction
form :meth:`CopDesk.report_in`, which checks everything at once and publishes
through the job's after-commit hook: only if the job commits, and once even if
the writer re-runs the job (the job contract, ``docs/architecture.md``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field

from alliance.core import limits
from alliance.core.authority import Action, Actor, Target, authorize
from alliance.core.dtg import coerce_time, iso
from alliance.core.errors import Forbidden, InvalidInput, not_found
from alliance.core.i18n import Text
from alliance.core.markings import Marking, check_nation
from alliance.core.models import MarkingIn, Moment, Nation, Strict
from alliance.core.sidc import Sidc
from alliance.core.text import NAME_CHARS, TEXT_CHARS
from alliance.store.context import DeskContext
from alliance.store.writer import Tx

from .hub import TrackHub
from .store import TrackStore
from .tracks import LinkStatus, Track, TrackDomain, TrackUid, withheld

log = logging.getLogger(__name__)

MAX_AHEAD = timedelta(hours=1)  # clocks disagree a little; a report from the future is wrong
Callsign = Annotated[str, Field(min_length=1, max_length=limits.NAME), NAME_CHARS]
Remarks = Annotated[str, Field(max_length=limits.REMARKS), TEXT_CHARS]
CallsignJa = Annotated[str, Field(max_length=limits.NAME), NAME_CHARS]


class ReportIn(Strict):
    """A position report (the REST twin of a CoT event)."""

    uid: TrackUid
    sidc: Sidc
    callsign: Callsign
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    hae: Annotated[float, Field(ge=-12000, le=1e6)] | None = None
    course: Annotated[float, Field(ge=0, lt=360)] | None = None
    speed: Annotated[float, Field(ge=0, le=1e5)] | None = Field(default=None, description="m/s")
    time: Moment | None = Field(default=None, description="DTG or ISO 8601; default now")
    stale_seconds: Annotated[int, Field(ge=1, le=86400)] = 300
    unmanned: bool = False
    operator_nation: Nation | None = None
    control_link: LinkStatus | None = None
    remarks: Remarks = ""
    callsign_ja: CallsignJa = Field(
        default="", description="The callsign in Japanese, if it has one / 呼出符号（日本語）"
    )
    remarks_ja: Remarks = Field(default="", description="The remarks in Japanese / 備考（日本語）")
    marking: MarkingIn = Field(default_factory=MarkingIn)
    exercise: bool = Field(default=False, description="Exercise data, not a real-world track")
    exercise_name: Callsign | None = Field(default=None, description="The exercise's name")


class TrackFilter(BaseModel):
    domain: TrackDomain | None = None
    affiliation: str | None = None
    owner: str | None = None
    include_stale: bool = True


class CopDesk:
    def __init__(self, ctx: DeskContext, hub: TrackHub, store: TrackStore) -> None:
        self.ctx = ctx
        self.hub = hub
        self.store = store

    def accept(self, track: Track, origin: object = None) -> None:
        """Take a track whose owner is already established (TAK server, REST,
        simulator, a partner's feed). A submarine's position is never taken:
        dropped here, it is never stored, shown or sent."""
        if withheld(track.sidc):
            log.warning(
                "%s's report of %s dropped: a submarine's position is not taken (source %s)",
                track.owner,
                track.uid,
                track.source,
            )
            return
        self.hub.publish(track, origin)
        self.store.save(track)

    def check_shareable(self, sidc: str) -> None:
        """Refuse a submarine's position report (``position_withheld``)."""
        if withheld(sidc):
            raise InvalidInput(
                Text(
                    f"symbol {sidc} is a subsurface track: submarine positions are never "
                    "taken into the common picture.",
                    f"シンボル{sidc}は水中の航跡です。潜水艦の位置は共通作戦状況図に取り込みません。",
                ),
                field="sidc",
                code="position_withheld",
            )

    def withdraw(self, uid: str, owner: str) -> None:
        """A partner no longer releases its track ``uid`` to us: drop our replica of it."""
        if self.hub.remove(uid, owner):
            self.store.forget(uid, owner)

    def check_time(self, at: datetime) -> None:
        """A report from the future is refused: held as the latest, it would hide
        every true report after it (older reports only join the history)."""
        if at > self.ctx.clock() + MAX_AHEAD:
            raise InvalidInput(
                Text(
                    f"time {iso(at)} is more than {MAX_AHEAD} ahead of now; a position "
                    "report says where something is, not where it will be.",
                    f"時刻 {iso(at)} が現在より{MAX_AHEAD}以上先です。位置報告は現在位置を示します。",
                ),
                field="time",
            )

    def check_owner(self, actor: Actor, uid: str) -> None:
        """The actor may report its own nation's track ``uid``; raise otherwise.

        A report always creates or moves the actor's nation's track under that
        uid, so the answer never depends on whether another nation holds one.
        """
        authorize(
            actor,
            Action.CHANGE,
            Target("track", uid, actor.nation, Marking.national(actor.nation)),
            hosted=self.ctx.hosted,
        )

    def withdraw_in(self, tx: Tx, uid: str, owner: str) -> None:
        """:meth:`withdraw` when ``tx`` commits."""
        tx.after_commit(lambda: self.withdraw(uid, owner))

    def report(self, actor: Actor, data: ReportIn) -> Track:
        """Check the report and publish the actor's nation's track at once."""
        track = self.track_of(actor, data)
        self.accept(track)
        return track

    def report_in(self, tx: Tx, actor: Actor, data: ReportIn) -> Track:
        """Check the report now (a refusal fails the job) and publish the track
        when ``tx`` commits; a job that fails publishes nothing."""
        track = self.track_of(actor, data)
        tx.after_commit(lambda: self.accept(track))
        return track

    def track_of(self, actor: Actor, data: ReportIn) -> Track:
        """The track a report makes, or the refusal: authority, time, unmanned fields."""
        self.check_owner(actor, data.uid)
        self.check_shareable(data.sidc)
        at = coerce_time(data.time, field="time") or self.ctx.clock()
        self.check_time(at)
        if data.operator_nation and not data.unmanned:
            raise Forbidden(
                Text(
                    "operator_nation is for unmanned aircraft.", "operator_nationは無人機用です。"
                ),
                code="not_unmanned",
            )
        return Track(
            uid=data.uid,
            owner=actor.nation,
            marking=data.marking.build(actor.nation),
            sidc=data.sidc,
            callsign=data.callsign,
            lat=data.lat,
            lon=data.lon,
            time=at,
            stale=at + timedelta(seconds=data.stale_seconds),
            hae=data.hae if data.hae is not None else 9999999.0,
            course=data.course,
            speed=data.speed,
            source="api",
            unmanned=data.unmanned,
            operator_nation=check_nation(data.operator_nation, field="operator_nation")
            if data.operator_nation
            else (actor.nation if data.unmanned else None),
            control_link=data.control_link if data.unmanned else None,
            remarks=data.remarks,
            callsign_ja=data.callsign_ja,
            remarks_ja=data.remarks_ja,
            exercise=data.exercise or data.exercise_name is not None,
            exercise_name=data.exercise_name or "",
        )

    def picture(self, actor: Actor, flt: TrackFilter | None = None) -> list[Track]:
        flt = flt or TrackFilter()
        now = self.ctx.clock()
        out = []
        for t in self.hub.picture(actor.nation):
            if flt.domain and t.domain != flt.domain:
                continue
            if flt.affiliation and t.affiliation != flt.affiliation:
                continue
            if flt.owner and t.owner != flt.owner.upper():
                continue
            if not flt.include_stale and t.stale_at(now):
                continue
            out.append(t)
        return sorted(out, key=lambda t: (t.owner, t.callsign, t.uid))

    def get(self, actor: Actor, uid: str, owner: str | None = None) -> Track:
        """The track the actor's picture shows under ``uid`` (or ``owner``'s, if
        released to the actor); absent and unreleased look the same."""
        track = self.hub.get(uid, actor.nation, owner.upper() if owner else None)
        if track is None:
            raise not_found("track", uid, "uid")
        return track

    def history(self, actor: Actor, uid: str, owner: str | None = None) -> list[Track]:
        """Recent positions of :meth:`get`'s track, each only if released to the actor."""
        track = self.get(actor, uid, owner)
        return self.hub.history(uid, actor.nation, track.owner)

    def start(self) -> None:
        self.restore()
        self.store.start()

    def restore(self) -> int:
        """Load the stored picture into the hub; returns how many tracks. A node
        that stored submarine tracks before they were withheld shows none of them."""
        tracks = [t for t in self.store.load() if not withheld(t.sidc)]
        self.hub.load(tracks)
        return len(tracks)

    def stop(self) -> None:
        self.store.stop()
