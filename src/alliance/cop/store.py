"""Persisting the picture: the latest state of each track and a bounded history.

Reports arrive far faster than decisions, so they are not written one by one:
a thread of its own flushes what arrived since the last flush in one
transaction (latest state upserted, history appended and trimmed). After a
restart the picture is loaded back into the hub.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, delete, select

from alliance.core.markings import Marking
from alliance.store.db import Database
from alliance.store.schema import TrackHistoryRow, TrackRow

from .tracks import LinkStatus, Track

log = logging.getLogger(__name__)


def _row(t: Track) -> dict[str, Any]:
    return {
        "uid": t.uid,
        "owner": t.owner,
        "rel": t.marking.rel_text(),
        "tlp": t.marking.tlp.value if t.marking.tlp else None,
        "sidc": t.sidc,
        "callsign": t.callsign,
        "lat": t.lat,
        "lon": t.lon,
        "hae": t.hae,
        "course": t.course,
        "speed": t.speed,
        "time": t.time,
        "stale": t.stale,
        "how": t.how,
        "source": t.source,
        "unmanned": t.unmanned,
        "operator_nation": t.operator_nation,
        "control_link": t.control_link.value if t.control_link else None,
        "remarks": t.remarks,
    }


def track_of(row: TrackRow) -> Track:
    return Track(
        uid=row.uid,
        owner=row.owner,
        marking=Marking.from_columns(row.rel, row.tlp),
        sidc=row.sidc,
        callsign=row.callsign,
        lat=row.lat,
        lon=row.lon,
        time=row.time,
        stale=row.stale,
        hae=row.hae,
        course=row.course,
        speed=row.speed,
        how=row.how,
        source=row.source,
        unmanned=row.unmanned,
        operator_nation=row.operator_nation,
        control_link=LinkStatus(row.control_link) if row.control_link else None,
        remarks=row.remarks,
    )


_HISTORY_KEYS = ("uid", "time", "lat", "lon", "hae", "course", "speed")


def _insert_history(conn: Connection, trail: list[Track]) -> None:
    """One executemany through the driver: thousands of positions a second must
    not cost SQLAlchemy's per-row processing (each value still goes through its
    column type's bind processor, so it is stored exactly as SQLAlchemy would)."""
    table = TrackHistoryRow.__table__
    assert isinstance(table, Table)
    dialect = conn.dialect
    time_bind = table.c.time.type.dialect_impl(dialect).bind_processor(dialect)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "  # noqa: S608 - fixed names
        f"({', '.join(_HISTORY_KEYS)}) VALUES ({', '.join([mark] * len(_HISTORY_KEYS))})"
    )
    conn.exec_driver_sql(
        sql,
        [
            (
                t.uid,
                time_bind(t.time) if time_bind else t.time,
                t.lat,
                t.lon,
                t.hae,
                t.course,
                t.speed,
            )
            for t in trail
        ],
    )


class TrackStore:
    def __init__(
        self,
        db: Database,
        *,
        history: int = 100,
        interval: float = 0.25,
        resolution: timedelta = timedelta(seconds=1),
    ) -> None:
        self.db = db
        self.history = history
        self.interval = interval
        self._pending: dict[str, Track] = {}
        self._trail: list[Track] = []
        self._forget: set[str] = set()
        self._since_trim: dict[str, int] = {}  # history rows added per uid since its trim
        self._last_point: dict[str, datetime] = {}  # time of the last history point per uid
        self.resolution = resolution
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush at a time: the thread's or a caller's
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def save(self, track: Track) -> None:
        """Keep the latest state; the history on disk takes at most one point per
        track per ``resolution`` (a ship reporting ten times a second does not
        need ten rows a second to show where it went)."""
        with self._lock:
            current = self._pending.get(track.uid)
            if current is None or track.time >= current.time:
                self._pending[track.uid] = track
            last = self._last_point.get(track.uid)
            if last is None or abs(track.time - last) >= self.resolution:
                self._last_point[track.uid] = track.time
                self._trail.append(track)

    def forget(self, uid: str) -> None:
        """Delete a track and its history at the next flush."""
        with self._lock:
            self._pending.pop(uid, None)
            self._trail = [t for t in self._trail if t.uid != uid]
            self._forget.add(uid)
            self._last_point.pop(uid, None)

    def load(self) -> list[Track]:
        with self.db.read() as s:
            return [track_of(r) for r in s.scalars(select(TrackRow))]

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="track-store", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:
                log.exception("saving tracks failed; will retry")

    def flush(self) -> int:
        """Write what was saved; when it returns, everything saved before the call
        is on disk (a flush already under way in the store's thread is waited for)."""
        with self._flushing:
            with self._lock:
                latest, trail, forget = self._pending, self._trail, self._forget
                self._pending, self._trail, self._forget = {}, [], set()
            if not latest and not trail and not forget:
                return 0
            try:
                self._write(latest, trail, forget)
            except Exception:
                with self._lock:  # keep them for the next attempt
                    for uid, t in latest.items():
                        self._pending.setdefault(uid, t)
                    self._trail[:0] = trail
                    self._forget |= forget
                raise
            return len(trail)

    def _write(self, latest: dict[str, Track], trail: list[Track], forget: set[str]) -> None:
        with self.db.engine.begin() as conn:
            gone = list(forget - set(latest))
            for i in range(0, len(gone), 500):
                conn.execute(delete(TrackRow).where(TrackRow.uid.in_(gone[i : i + 500])))
                conn.execute(
                    delete(TrackHistoryRow).where(TrackHistoryRow.uid.in_(gone[i : i + 500]))
                )
            uids = list(latest)
            for i in range(0, len(uids), 500):
                conn.execute(delete(TrackRow).where(TrackRow.uid.in_(uids[i : i + 500])))
            if latest:
                conn.execute(TrackRow.__table__.insert(), [_row(t) for t in latest.values()])  # type: ignore[attr-defined]
            if trail:
                _insert_history(conn, trail)
            # Keep the newest ``history`` positions of a track: trimmed once it has
            # gained as many again since its last trim (amortized, not per flush).
            for t in trail:
                self._since_trim[t.uid] = self._since_trim.get(t.uid, 0) + 1
            for uid in [u for u, n in self._since_trim.items() if n >= self.history]:
                cutoff = conn.execute(
                    select(TrackHistoryRow.id)
                    .where(TrackHistoryRow.uid == uid)
                    .order_by(TrackHistoryRow.id.desc())
                    .offset(self.history)
                    .limit(1)
                ).scalar()
                if cutoff is not None:
                    conn.execute(
                        delete(TrackHistoryRow).where(
                            TrackHistoryRow.uid == uid, TrackHistoryRow.id <= cutoff
                        )
                    )
                self._since_trim[uid] = 0
