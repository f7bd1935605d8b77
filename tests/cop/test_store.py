"""The picture on disk: latest state per track, a bounded history, withdrawals."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from alliance.cop.store import TrackStore
from alliance.cop.tracks import Track
from alliance.core.markings import Marking
from alliance.node import Node
from alliance.store.schema import TrackHistoryRow
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
    store.forget("GONE")
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
