"""Persisting the picture: the latest state of each track and a bounded history.

Reports arrive far faster than decisions, so they are not written one by one:
a thread of its own flushes what arrived since the last flush in one
transaction (latest state upserted, history appended and trimmed). After a
restart the picture is loaded back into the hub.

A flush the database refuses is retried at once in halves, down to one track:
a track the database refuses alone is dropped with one log line (and counted
in :attr:`TrackStore.refused`), and every other track is saved. Only a
database that cannot be reached (connection lost, locked) keeps everything for
the next flush.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, delete, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from alliance.core.dtg import iso
from alliance.core.markings import Marking
from alliance.store.db import Database

from .tables import TrackHistoryRow, TrackRow
from .tracks import LinkStatus, Track

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (owner, uid)


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
        "callsign_ja": t.callsign_ja,
        "remarks_ja": t.remarks_ja,
        "exercise": t.exercise,
        "exercise_name": t.exercise_name,
        "uas": _uas(t),
    }


def _uas(t: Track) -> str | None:
    """An unmanned aircraft's link details as the ``uas`` column holds them."""
    if not (t.link_since or t.control_station or t.control_station_at or t.lost_link_route):
        return None
    return json.dumps(
        {
            "link_since": iso(t.link_since) if t.link_since else None,
            "control_station": t.control_station,
            "control_station_at": list(t.control_station_at) if t.control_station_at else None,
            "lost_link_route": [list(p) for p in t.lost_link_route],
        }
    )


def _uas_fields(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    data = json.loads(text)
    at = data.get("control_station_at")
    return {
        "link_since": datetime.fromisoformat(data["link_since"])
        if data.get("link_since")
        else None,
        "control_station": data.get("control_station") or "",
        "control_station_at": (at[0], at[1]) if at else None,
        "lost_link_route": tuple((p[0], p[1]) for p in data.get("lost_link_route") or ()),
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
        callsign_ja=row.callsign_ja,
        remarks_ja=row.remarks_ja,
        exercise=row.exercise,
        exercise_name=row.exercise_name,
        **_uas_fields(row.uas),
    )


_HISTORY_KEYS = ("owner", "uid", "time", "lat", "lon", "hae", "course", "speed")


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
                t.owner,
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


def _by_owner(keys: list[Key]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for owner, uid in keys:
        grouped.setdefault(owner, []).append(uid)
    return grouped


def _delete(
    conn: Connection, table: type[TrackRow] | type[TrackHistoryRow], keys: list[Key]
) -> None:
    for owner, uids in _by_owner(keys).items():
        for i in range(0, len(uids), 500):
            conn.execute(
                delete(table).where(table.owner == owner, table.uid.in_(uids[i : i + 500]))
            )


def _unreachable(exc: Exception) -> bool:
    """The database, not the data, failed: keep everything for the next flush."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _reason(exc: Exception) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


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
        self._pending: dict[Key, Track] = {}
        self._trail: list[Track] = []
        self._forget: set[Key] = set()
        self._since_trim: dict[Key, int] = {}  # history rows added per track since its trim
        self._last_point: dict[Key, datetime] = {}  # time of the last history point per track
        self.resolution = resolution
        self.refused = 0  # tracks the database refused (each dropped, logged once)
        self._refused_logged: set[Key] = set()
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush at a time: the thread's or a caller's
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def save(self, track: Track) -> None:
        """Keep the latest state; the history on disk takes at most one point per
        track per ``resolution`` (a ship reporting ten times a second does not
        need ten rows a second to show where it went)."""
        key = (track.owner, track.uid)
        with self._lock:
            current = self._pending.get(key)
            if current is None or track.time >= current.time:
                self._pending[key] = track
            last = self._last_point.get(key)
            if last is None or abs(track.time - last) >= self.resolution:
                self._last_point[key] = track.time
                self._trail.append(track)

    def forget(self, uid: str, owner: str) -> None:
        """Delete ``owner``'s track ``uid`` and its history at the next flush."""
        key = (owner, uid)
        with self._lock:
            self._pending.pop(key, None)
            self._trail = [t for t in self._trail if (t.owner, t.uid) != key]
            self._forget.add(key)
            self._last_point.pop(key, None)

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
        is on disk (a flush already under way in the store's thread is waited for),
        except tracks the database refused, each dropped and logged. Raises only
        when the database cannot be reached; what was saved is then kept for the
        next flush."""
        with self._flushing:
            with self._lock:
                latest, trail, forget = self._pending, self._trail, self._forget
                self._pending, self._trail, self._forget = {}, [], set()
            if not latest and not trail and not forget:
                return 0
            try:
                self._write(latest, trail, forget)
            except Exception as exc:
                if _unreachable(exc):
                    self._keep(latest, trail, forget)
                    raise
                log.warning(
                    "saving %d tracks failed (%s); saving them one part at a time",
                    len(latest),
                    _reason(exc),
                )
                return self._isolate(latest, trail, forget)
            return len(trail)

    def _keep(self, latest: dict[Key, Track], trail: list[Track], forget: set[Key]) -> None:
        """Put back what could not be written, for the next attempt."""
        with self._lock:
            for key, t in latest.items():
                self._pending.setdefault(key, t)
            self._trail[:0] = trail
            self._forget |= forget

    def _isolate(self, latest: dict[Key, Track], trail: list[Track], forget: set[Key]) -> int:
        """Write the tracks in halves until each part is saved or is one track the
        database refuses; returns how many history points were saved."""
        if forget:
            try:
                self._write({}, [], forget)
            except Exception as exc:
                if _unreachable(exc):
                    self._keep(latest, trail, forget)
                    raise
                log.error("deleting %d withdrawn tracks failed: %s", len(forget), _reason(exc))
        trails: dict[Key, list[Track]] = {}
        for t in trail:
            trails.setdefault((t.owner, t.uid), []).append(t)
        parts = [list(dict.fromkeys([*latest, *trails]))]
        saved = 0
        while parts:
            keys = parts.pop()
            points = [t for k in keys for t in trails.get(k, ())]
            try:
                self._write({k: latest[k] for k in keys if k in latest}, points, set())
            except Exception as exc:
                if _unreachable(exc):
                    rest = [k for p in parts for k in p] + keys
                    self._keep(
                        {k: latest[k] for k in rest if k in latest},
                        [t for k in rest for t in trails.get(k, ())],
                        set(),
                    )
                    raise
                if len(keys) == 1:
                    self._refuse(keys[0], exc)
                else:
                    half = len(keys) // 2
                    parts += [keys[half:], keys[:half]]
                continue
            saved += len(points)
        return saved

    def _refuse(self, key: Key, exc: Exception) -> None:
        """A track the database refuses on its own: dropped, counted, logged once."""
        self.refused += 1
        self._since_trim.pop(key, None)
        if key in self._refused_logged:
            log.debug("track %s of %s refused again by the database", key[1], key[0])
            return
        if len(self._refused_logged) >= 10_000:
            self._refused_logged.clear()
        self._refused_logged.add(key)
        log.error(
            "track %r of %s not saved: the database refused it (%s); dropped",
            key[1],
            key[0],
            _reason(exc),
        )

    def _write(self, latest: dict[Key, Track], trail: list[Track], forget: set[Key]) -> None:
        with self.db.engine.begin() as conn:
            gone = list(forget - set(latest))
            _delete(conn, TrackRow, gone)
            _delete(conn, TrackHistoryRow, gone)
            _delete(conn, TrackRow, list(latest))
            if latest:
                conn.execute(TrackRow.__table__.insert(), [_row(t) for t in latest.values()])  # type: ignore[attr-defined]
            if trail:
                _insert_history(conn, trail)
            # Keep the newest ``history`` positions of a track: trimmed once it has
            # gained as many again since its last trim (amortized, not per flush).
            added: dict[Key, int] = {}
            for t in trail:
                key = (t.owner, t.uid)
                added[key] = added.get(key, 0) + 1
            due = [k for k, n in added.items() if self._since_trim.get(k, 0) + n >= self.history]
            for owner, uid in due:
                cutoff = conn.execute(
                    select(TrackHistoryRow.id)
                    .where(TrackHistoryRow.owner == owner, TrackHistoryRow.uid == uid)
                    .order_by(TrackHistoryRow.id.desc())
                    .offset(self.history)
                    .limit(1)
                ).scalar()
                if cutoff is not None:
                    conn.execute(
                        delete(TrackHistoryRow).where(
                            TrackHistoryRow.owner == owner,
                            TrackHistoryRow.uid == uid,
                            TrackHistoryRow.id <= cutoff,
                        )
                    )
        # Committed: count what each track gained since its trim.
        for key, n in added.items():
            self._since_trim[key] = self._since_trim.get(key, 0) + n
        for key in due:
            self._since_trim[key] = 0
