"""The picture in memory: tracks keyed by (owner, uid), one shown per uid."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alliance.cop.hub import TrackHub
from alliance.cop.tracks import Track
from alliance.core.markings import Marking

T = datetime(2026, 11, 29, tzinfo=UTC)


def _track(owner: str, uid: str, rel: list[str], lat: float = 30.0, n: int = 0) -> Track:
    return Track(
        uid=uid,
        owner=owner,
        marking=Marking.of(owner, rel),
        sidc="SFSPCLDD-------",
        callsign=f"{owner} {uid}",
        lat=lat,
        lon=130.0,
        time=T + timedelta(seconds=n),
        stale=T + timedelta(seconds=n + 60),
    )


class Watcher:
    """A subscriber of one nation: what it was sent and what it was told is gone."""

    def __init__(self, hub: TrackHub, nation: str) -> None:
        self.sent: list[tuple[str, str, float]] = []
        self.gone: list[tuple[str, str]] = []
        hub.subscribe(
            nation,
            lambda t: self.sent.append((t.owner, t.uid, t.lat)),
            on_remove=lambda t: self.gone.append((t.owner, t.uid)),
        )


def _shown(hub: TrackHub, nation: str) -> dict[str, tuple[str, float]]:
    return {t.uid: (t.owner, t.lat) for t in hub.picture(nation)}


def test_a_nations_own_track_shadows_any_partners_with_the_same_uid() -> None:
    hub = TrackHub()
    jpn, usa, gbr = Watcher(hub, "JPN"), Watcher(hub, "USA"), Watcher(hub, "GBR")
    hub.publish(_track("USA", "X", ["JPN", "GBR"], lat=1.0))
    hub.publish(_track("JPN", "X", ["USA", "GBR"], lat=2.0))
    hub.publish(_track("USA", "X", ["JPN", "GBR"], lat=3.0, n=1))  # USA moves its X
    assert _shown(hub, "JPN") == {"X": ("JPN", 2.0)}
    assert _shown(hub, "USA") == {"X": ("USA", 3.0)}
    assert _shown(hub, "GBR") == {"X": ("JPN", 2.0)}  # partners only: the first owner code
    # Each was sent what its picture shows, never a shadowed track.
    assert jpn.sent == [("USA", "X", 1.0), ("JPN", "X", 2.0)]
    assert usa.sent == [("USA", "X", 1.0), ("USA", "X", 3.0)]
    assert gbr.sent == [("USA", "X", 1.0), ("JPN", "X", 2.0)]
    # Both are held; either can be asked for by owner, if released to the asker.
    assert hub.get("X", "JPN", owner="USA") == _track("USA", "X", ["JPN", "GBR"], lat=3.0, n=1)
    assert hub.get("X", "FRA", owner="USA") is None
    assert [t.lat for t in hub.history("X", "JPN", owner="USA")] == [1.0, 3.0]
    assert [t.lat for t in hub.history("X", "JPN")] == [2.0]


def test_a_shared_uid_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    hub = TrackHub()
    with caplog.at_level(logging.WARNING, logger="alliance.cop.hub"):
        hub.publish(_track("JPN", "X", ["GBR"]))
        for n in range(3):
            hub.publish(_track("USA", "X", ["GBR"], n=n))
            hub.publish(_track("JPN", "X", ["GBR"], n=n))
    assert [r.getMessage() for r in caplog.records] == [
        "tracks of JPN, USA share uid X: each nation's picture shows its own, "
        "else the first of them released to it"
    ]


def test_removing_the_shown_track_shows_the_next_or_tells_the_subscriber() -> None:
    hub = TrackHub()
    gbr = Watcher(hub, "GBR")
    hub.publish(_track("JPN", "X", ["GBR"], lat=1.0))
    hub.publish(_track("USA", "X", ["GBR"], lat=2.0))
    assert gbr.sent == [("JPN", "X", 1.0)]
    assert hub.remove("X", "JPN")
    assert gbr.sent[-1] == ("USA", "X", 2.0)  # what GBR's picture shows now
    assert not hub.remove("X", "JPN")
    assert hub.remove("X", "USA")
    assert gbr.gone == [("USA", "X")]
    assert hub.picture("GBR") == []
    assert hub.owned_by("USA") == set()


def test_a_release_that_narrows_takes_the_track_out_of_the_partners_picture() -> None:
    hub = TrackHub()
    usa = Watcher(hub, "USA")
    hub.publish(_track("JPN", "Y", ["USA"], lat=1.0))
    hub.publish(_track("JPN", "Y", [], lat=2.0, n=1))
    assert usa.sent == [("JPN", "Y", 1.0)]
    assert usa.gone == [("JPN", "Y")]
    assert hub.get("Y", "USA") is None
    assert hub.history("Y", "USA") == []
    hub.publish(_track("JPN", "Y", ["USA"], lat=3.0, n=2))
    assert usa.sent[-1] == ("JPN", "Y", 3.0)
    assert [t.lat for t in hub.history("Y", "USA")] == [1.0, 3.0]


def test_the_federation_feed_carries_each_owners_tracks_apart() -> None:
    hub = TrackHub()
    hub.publish(_track("JPN", "X", ["USA"]))
    hub.publish(_track("USA", "X", ["JPN"]))
    version, tracks, withdrawn = hub.changes_since("USA", 0, frozenset({"JPN"}))
    assert [(t.owner, t.uid) for t in tracks] == [("JPN", "X")]
    hub.publish(replace(_track("JPN", "X", []), time=T + timedelta(seconds=5)))
    _, tracks, withdrawn = hub.changes_since("USA", version, frozenset({"JPN"}))
    assert (tracks, withdrawn) == ([], ["X"])
    assert hub.owned_by("USA") == {"X"}
