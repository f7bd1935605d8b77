"""The picture on disk: latest state per track, a bounded history, withdrawals."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import column, insert, select, table

from alliance.config import load_settings
from alliance.cop.store import TrackStore
from alliance.cop.tables import TrackHistoryRow
from alliance.cop.tracks import Track
from alliance.core.markings import Marking
from alliance.node import Node
from alliance.store.db import MIGRATIONS, Database
from alliance.store.schema import UTCDateTime
from tests.conftest import NodeFactory

T = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)


def _track(uid: str, n: int) -> Track:
    return Track(
        uid=uid,
        owner="JPN",
        marking=Marking.of("JPN", ["USA"]),
        sidc="SFSPCLDD-------",
        callsign=uid,
        lat=30.0 + n / 100,
        lon=130.0,
        time=T + timedelta(seconds=n),
        stale=T + timedelta(seconds=n + 60),
    )


def _history(node: Node, uid: str) -> list[datetime]:
    with node.db.read() as s:
        return list(
            s.scalars(
                select(TrackHistoryRow.time)
                .where(TrackHistoryRow.uid == uid)
                .order_by(TrackHistoryRow.id)
            )
        )


def test_history_stays_bounded_and_keeps_the_newest(make_node: NodeFactory) -> None:
    node = make_node("JPN", seed=False)
    store = TrackStore(node.db, history=5)
    for n in range(23):
        store.save(_track("A", n))
        if n % 4 == 3:
            store.flush()
    for n in range(3):
        store.save(_track("B", n))
    store.flush()
    a = _history(node, "A")
    assert 5 <= len(a) < 10  # trimmed once it doubles: bounded, amortized
    assert a[-5:] == [T + timedelta(seconds=n) for n in range(18, 23)]
    assert len(_history(node, "B")) == 3
    latest = {t.uid: t for t in store.load()}
    assert latest["A"].time == T + timedelta(seconds=22)
    assert latest["A"].lat == pytest.approx(30.22)
    assert latest["A"].marking.nations == ["JPN", "USA"]


def test_forget_removes_a_track_and_its_history(make_node: NodeFactory) -> None:
    node = make_node("JPN", seed=False)
    store = TrackStore(node.db, history=5)
    for n in range(3):
        store.save(_track("GONE", n))
        store.save(_track("KEPT", n))
    store.flush()
    store.forget("GONE", "JPN")
    store.flush()
    assert {t.uid for t in store.load()} == {"KEPT"}
    assert _history(node, "GONE") == []
    assert len(_history(node, "KEPT")) == 3


def test_history_keeps_one_point_per_second_per_track(make_node: NodeFactory) -> None:
    node = make_node("JPN", seed=False)
    store = TrackStore(node.db, history=50)
    fast = [replace(_track("FAST", 0), time=T + timedelta(milliseconds=100 * n)) for n in range(25)]
    for t in fast:
        store.save(t)
    store.flush()
    # 0.0 s, 1.0 s and 2.0 s are kept; the latest state is still the newest report.
    assert _history(node, "FAST") == [T, T + timedelta(seconds=1), T + timedelta(seconds=2)]
    assert {t.uid: t for t in store.load()}["FAST"].time == T + timedelta(milliseconds=2400)


def test_flush_waits_for_a_flush_already_under_way(make_node: NodeFactory) -> None:
    """What was saved before flush() is on disk when it returns, even if the
    store's own thread had taken it and was still writing."""
    node = make_node("JPN", seed=False)
    started = threading.Event()

    class SlowStore(TrackStore):
        def _write(self, latest: Any, trail: Any, forget: Any) -> None:
            started.set()
            time.sleep(0.3)
            super()._write(latest, trail, forget)

    store = SlowStore(node.db, interval=0.01)
    store.save(_track("RACE", 0))
    store.start()
    try:
        assert started.wait(5)
        store.flush()  # the thread holds the track and is still writing it
        assert {t.uid for t in store.load()} == {"RACE"}
    finally:
        store.stop()


@pytest.mark.parametrize("refusal", ["nul-in-callsign", "null-callsign"])
def test_a_track_the_database_refuses_is_dropped_and_every_other_is_saved(
    make_node: NodeFactory, backend: str, refusal: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A row that passed the edges but that the database refuses (PostgreSQL
    cannot store NUL; no database stores NULL in a NOT NULL column) costs that
    track only: one log line, every other track on disk, no retry loop."""
    if refusal == "nul-in-callsign" and backend == "sqlite":
        pytest.skip("SQLite stores NUL in text; PostgreSQL refuses it")
    node = make_node("JPN", seed=False)
    store = node.cop.store
    bad = replace(_track("BAD", 5), callsign="BAD\x00" if refusal == "nul-in-callsign" else None)  # type: ignore[arg-type]
    good = [_track(f"GOOD-{n}", n) for n in range(7)]
    with caplog.at_level(logging.WARNING, logger="alliance.cop.store"):
        for t in good[:3]:
            store.save(t)
        store.save(bad)
        for t in good[3:]:
            store.save(t)
        store.flush()
        store.save(_track("LATER", 9))
        store.flush()  # nothing of the refused track is retried
        store.flush()
    names = {f"GOOD-{n}" for n in range(7)} | {"LATER"}
    assert {t.uid for t in store.load()} == names
    assert store.refused == 1
    dropped = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(dropped) == 1, [r.getMessage() for r in dropped]
    assert "'BAD'" in dropped[0].getMessage()
    assert {len(_history(node, uid)) for uid in names} == {1}

    # A restart loads every saved track.
    again = Node(load_settings(node.settings.home, database_url=node.settings.database_url))
    again.cop.start()
    try:
        assert {t.uid for t in again.cop.hub.picture("JPN")} == names
    finally:
        again.cop.stop()
        again.db.dispose()


def test_tracks_of_two_nations_with_one_uid_are_saved_and_forgotten_apart(
    make_node: NodeFactory,
) -> None:
    node = make_node("JPN", seed=False)
    store = TrackStore(node.db, history=5)
    theirs = replace(_track("SHARED", 0), owner="USA", marking=Marking.of("USA", ["JPN"]), lat=1.0)
    store.save(_track("SHARED", 0))
    store.save(theirs)
    store.save(replace(theirs, time=T + timedelta(seconds=2), lat=2.0))
    store.flush()
    held = {(t.owner, t.uid): t for t in store.load()}
    assert set(held) == {("JPN", "SHARED"), ("USA", "SHARED")}
    assert (held["JPN", "SHARED"].lat, held["USA", "SHARED"].lat) == (30.0, 2.0)
    assert len(_history(node, "SHARED")) == 3
    store.forget("SHARED", "USA")
    store.flush()
    assert [(t.owner, t.lat) for t in store.load()] == [("JPN", 30.0)]
    assert len(_history(node, "SHARED")) == 1


def test_the_owner_key_migration_keeps_every_track_and_its_history(database_url: str) -> None:
    """Tracks saved before (owner, uid) became the key come through: each track,
    and each history row under its track's owner (rows of no track are dropped)."""
    db = Database(database_url)
    try:
        _migrate(db, "0006")
        with db.write_engine.begin() as conn:
            conn.execute(
                insert(_OLD_TRACKS),
                [
                    {**_old_row("A"), "owner": "JPN", "lat": 35.0},
                    {**_old_row("B"), "owner": "USA", "lat": 36.0},
                ],
            )
            conn.execute(
                insert(_OLD_HISTORY),
                [
                    {"uid": uid, "time": T, "lat": 1.0, "lon": 2.0, "hae": 0.0}
                    for uid in ("A", "A", "B", "ORPHAN")
                ],
            )
        _migrate(db, "head")
        store = TrackStore(db)
        assert {(t.owner, t.uid, t.lat) for t in store.load()} == {
            ("JPN", "A", 35.0),
            ("USA", "B", 36.0),
        }
        with db.read() as s:
            rows = s.execute(select(TrackHistoryRow.owner, TrackHistoryRow.uid)).all()
        assert sorted(tuple(r) for r in rows) == [("JPN", "A"), ("JPN", "A"), ("USA", "B")]
        # and now USA may hold an A of its own beside JPN's
        store.save(replace(_track("A", 1), owner="USA", marking=Marking.national("USA")))
        store.flush()
        assert {(t.owner, t.uid) for t in store.load()} == {
            ("JPN", "A"),
            ("USA", "A"),
            ("USA", "B"),
        }
    finally:
        db.dispose()


_OLD_TRACKS = table(
    "tracks",
    *(
        column(name)
        for name in [
            "uid",
            "owner",
            "rel",
            "sidc",
            "callsign",
            "lat",
            "lon",
            "hae",
            "how",
            "source",
            "unmanned",
            "remarks",
        ]
    ),
    column("time", UTCDateTime()),
    column("stale", UTCDateTime()),
)
_OLD_HISTORY = table(
    "track_history",
    *(column(name) for name in ("uid", "lat", "lon", "hae")),
    column("time", UTCDateTime()),
)


def _old_row(uid: str) -> dict[str, Any]:
    return {
        "uid": uid,
        "rel": "JPN",
        "sidc": "SFSPCLDD-------",
        "callsign": uid,
        "lon": 130.0,
        "hae": 0.0,
        "time": T,
        "stale": T + timedelta(minutes=5),
        "how": "m-g",
        "source": "api",
        "unmanned": False,
        "remarks": "",
    }


def _migrate(db: Database, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
