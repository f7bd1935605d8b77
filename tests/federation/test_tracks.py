"""Partner tracks over federation: exactly what is released, checked like the ledger stream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from alliance.config import load_settings
from alliance.cop import ReportIn, Track
from alliance.cop.feed import FORMAT, TrackChanges, check_tracks
from alliance.core.errors import InvalidInput, NotFound
from alliance.core.keys import NodeKey
from alliance.core.models import MarkingIn
from alliance.federation import CheckedPage, FeedEnds, PageProblem, page_digest
from alliance.node import Node
from tests.conftest import NodeFactory

from .helpers import actor, federate, link, served_pair, wait_until


def _report(node: Node, uid: str, rel: list[str], lat: float = 35.0) -> Track:
    hq = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}[node.nation]
    return node.cop.report(
        actor(node.nation, hq),
        ReportIn(
            uid=uid,
            sidc="SFSPCLDD-------",
            callsign=uid,
            lat=lat,
            lon=139.0,
            marking=MarkingIn(releasable_to=rel),
        ),
    )


def test_a_combined_node_ships_only_its_own_nations_tracks(make_node: NodeFactory) -> None:
    """A JPN node that also hosts USA authority federates JPN's tracks only, as
    it ships only JPN's objects: AUS takes a track only from its owner's node,
    and a USA track from JPN's node would have stopped the link."""
    combined, aus = make_node("JPN", hosted=["USA"]), make_node("AUS", seed=False)
    federate([combined, aus])
    for node in (combined, aus):
        node.serve_federation(wait=0.5)
    usa_on_jpn_node = combined.cop.report(
        actor("USA", "usa-jfhq"),
        ReportIn(
            uid="USA-ON-JPN-NODE",
            sidc="SFSPCLDD-------",
            callsign="USA-ON-JPN-NODE",
            lat=35.0,
            lon=139.0,
            marking=MarkingIn(releasable_to=["AUS"]),
        ),
    )
    assert usa_on_jpn_node.owner == "USA"
    _report(combined, "JPN-EX-DD05", ["AUS"])
    wait_until(lambda: _has(aus, "JPN-EX-DD05") is not None, what="JPN track at AUS")
    assert _has(aus, "USA-ON-JPN-NODE", "AUS") is None
    assert link(aus, "JPN").state == "running"
    assert aus.federation.partners.quarantine("JPN") == []


def _has(node: Node, uid: str, nation: str | None = None) -> Track | None:
    return node.cop.hub.get(uid, nation or node.nation)


def test_released_tracks_reach_the_partner_and_nothing_else(make_node: NodeFactory) -> None:
    jpn, usa = served_pair(make_node)

    _report(jpn, "JPN-EX-DD04", ["USA"])
    _report(jpn, "JPN-EX-DD06", [])
    _report(usa, "USA-EX-DDG45", ["JPN"])
    wait_until(lambda: _has(usa, "JPN-EX-DD04") is not None, what="JPN track at USA")
    wait_until(lambda: _has(jpn, "USA-EX-DDG45") is not None, what="USA track at JPN")
    replica = _has(usa, "JPN-EX-DD04")
    assert replica is not None
    assert replica.owner == "JPN"
    assert replica.source == "federation:JPN"
    assert replica.marking.nations == ["JPN", "USA"]
    assert _has(usa, "JPN-EX-DD06", "JPN") is None  # never sent, not even held
    # Its history is as absent to USA as a track that never was.
    usa_staff = actor("USA", "usa-jfhq")
    with pytest.raises(NotFound) as secret:
        usa.cop.history(usa_staff, "JPN-EX-DD06")
    with pytest.raises(NotFound) as absent:
        usa.cop.history(usa_staff, "NO-SUCH-TRACK")
    assert secret.value.code == absent.value.code == "not_found"
    assert secret.value.message.en == absent.value.message.en.replace(
        "NO-SUCH-TRACK", "JPN-EX-DD06"
    )

    # A move arrives; a partner cannot move it at its node.
    _report(jpn, "JPN-EX-DD04", ["USA"], lat=36.5)
    wait_until(lambda: getattr(_has(usa, "JPN-EX-DD04"), "lat", None) == 36.5, what="the move")
    assert [t.lat for t in usa.cop.history(usa_staff, "JPN-EX-DD04")] == [35.0, 36.5]

    # Withdrawing the release removes the replica, in memory and on disk, and
    # those watching (console streams, TAK clients) are told.
    told: list[str] = []
    usa.cop.hub.subscribe("USA", lambda t: None, on_remove=lambda t: told.append(t.uid))
    _report(jpn, "JPN-EX-DD04", [], lat=36.6)
    wait_until(lambda: _has(usa, "JPN-EX-DD04") is None, what="the withdrawal")
    assert told == ["JPN-EX-DD04"]
    with pytest.raises(NotFound) as gone:
        usa.cop.history(usa_staff, "JPN-EX-DD04")
    assert gone.value.code == "not_found"
    usa.cop.store.flush()
    assert {(t.owner, t.uid) for t in usa.cop.store.load()} == {("USA", "USA-EX-DDG45")}
    # The partner's own released picture is untouched.
    theirs = _has(jpn, "USA-EX-DDG45")
    assert theirs is not None
    assert (theirs.owner, theirs.source, theirs.lat) == ("USA", "federation:USA", 35.0)


def test_a_partner_track_under_one_of_our_uids_moves_nothing_of_ours_and_the_feed_goes_on(
    make_node: NodeFactory,
) -> None:
    """A track is (owner, uid): whichever nation takes a uid first, the other's
    track with that uid is kept beside it, each picture shows its own nation's,
    and both feeds keep running."""
    jpn, usa = served_pair(make_node)
    _report(jpn, "SHARED-1", ["USA"], lat=35.0)  # JPN's first...
    wait_until(lambda: _has(usa, "SHARED-1") is not None, what="JPN's SHARED-1 at USA")
    _report(usa, "SHARED-1", ["JPN"], lat=10.0)  # ...then USA's
    _report(usa, "SHARED-2", ["JPN"], lat=11.0)  # USA's first...
    wait_until(lambda: _has(jpn, "SHARED-2") is not None, what="USA's SHARED-2 at JPN")
    _report(jpn, "SHARED-2", ["USA"], lat=36.0)  # ...then JPN's
    _report(jpn, "JPN-AFTER", ["USA"])
    _report(usa, "USA-AFTER", ["JPN"])
    wait_until(lambda: _has(usa, "JPN-AFTER") is not None, what="the JPN feed after")
    wait_until(lambda: _has(jpn, "USA-AFTER") is not None, what="the USA feed after")

    for uid, jpn_lat, usa_lat in (("SHARED-1", 35.0, 10.0), ("SHARED-2", 36.0, 11.0)):
        for node, own_lat, other, other_lat in (
            (jpn, jpn_lat, "USA", usa_lat),
            (usa, usa_lat, "JPN", jpn_lat),
        ):
            shown = _has(node, uid)
            assert shown is not None
            assert (shown.owner, shown.lat) == (node.nation, own_lat), (node.nation, uid)
            beside = node.cop.hub.get(uid, node.nation, owner=other)
            assert beside is not None
            assert (beside.owner, beside.lat) == (other, other_lat), (node.nation, uid)

    # JPN moves its SHARED-1: it reaches USA as JPN's; USA's own does not move.
    _report(jpn, "SHARED-1", ["USA"], lat=35.5)
    wait_until(
        lambda: getattr(usa.cop.hub.get("SHARED-1", "USA", owner="JPN"), "lat", None) == 35.5,
        what="JPN's move at USA",
    )
    assert (_has(usa, "SHARED-1").owner, _has(usa, "SHARED-1").lat) == ("USA", 10.0)  # type: ignore[union-attr]
    # Withdrawing JPN's release drops JPN's replica only.
    _report(jpn, "SHARED-1", [], lat=35.6)
    wait_until(
        lambda: usa.cop.hub.get("SHARED-1", "USA", owner="JPN") is None, what="the withdrawal"
    )
    assert (_has(usa, "SHARED-1").owner, _has(usa, "SHARED-1").lat) == ("USA", 10.0)  # type: ignore[union-attr]
    for node, partner in ((jpn, "USA"), (usa, "JPN")):
        assert link(node, partner).state == "running"
        assert node.federation.partners.quarantine(partner) == []
    usa.cop.store.flush()
    assert {(t.owner, t.uid) for t in usa.cop.store.load()} == {
        ("USA", "SHARED-1"),
        ("USA", "SHARED-2"),
        ("USA", "USA-AFTER"),
        ("JPN", "SHARED-2"),
        ("JPN", "JPN-AFTER"),
    }


def test_a_restarted_sender_resends_its_picture_and_drops_what_it_withdrew(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    _report(jpn, "JPN-A", ["USA"])
    _report(jpn, "JPN-B", ["USA"])
    wait_until(lambda: _has(usa, "JPN-B") is not None, what="JPN-B at USA")

    usa.federation.stop()  # the receiver is away while the release is withdrawn
    _report(jpn, "JPN-B", [])
    jpn.federation.stop()
    jpn.cop.hub.epoch = "restarted"  # what a restart of the sender's process gives
    for node in (jpn, usa):
        node.serve_federation(wait=0.5)
    wait_until(lambda: _has(usa, "JPN-B") is None, what="JPN-B dropped after the restart")
    assert {(t.owner, t.uid) for t in usa.cop.hub.picture("USA")} == {("JPN", "JPN-A")}


def test_a_forged_track_page_is_quarantined_and_the_link_stops(
    make_node: NodeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    jpn = make_node("JPN")
    usa = make_node("USA")
    federate([jpn, usa])
    feed = jpn.federation.feeds["tracks"].feed
    honest = feed.changes

    def claims_a_usa_track(partner: str, since: int) -> tuple[int, dict[str, Any], bool]:
        version, fields, empty = honest(partner, since)
        for t in fields["tracks"]:
            t["owner"] = "USA"  # JPN's node claims (and signs) to speak for a USA track
        return version, fields, empty

    monkeypatch.setattr(feed, "changes", claims_a_usa_track)
    _report(jpn, "JPN-LIAR", ["USA"])
    for node in (jpn, usa):
        node.serve_federation(wait=0.5)
    wait_until(lambda: link(usa, "JPN").state == "stopped", what="the link stopping")
    assert _has(usa, "JPN-LIAR", "USA") is None
    entries = usa.federation.partners.quarantine("JPN")
    assert [q.code for q in entries] == ["track_not_owner"]
    assert "USA" in entries[0].reason["en"]


# -- every check of a page, one by one ---------------------------------------------


def _page(key: NodeKey, **changes: Any) -> dict[str, Any]:
    track = {
        "uid": "JPN-1",
        "owner": "JPN",
        "marking": {"releasable_to": ["JPN", "USA"], "tlp": None},
        "sidc": "SFGPUCI--------",
        "callsign": "1st Inf",
        "lat": 35.0,
        "lon": 139.0,
        "hae": None,
        "course": None,
        "speed": None,
        "time": "2026-11-29T00:00:00Z",
        "stale": "2026-11-29T00:05:00Z",
        "unmanned": False,
        "operator_nation": None,
        "control_link": None,
        "remarks": "",
    }
    track.update(changes.pop("track", {}))
    page = {
        "format": FORMAT,
        "from": "JPN",
        "to": "USA",
        "epoch": "e1",
        "since": 0,
        "version": 3,
        "full": True,
        "tracks": [track],
        "withdrawn": [],
    }
    page.update(changes)
    return {**page, "signature": key.sign(page_digest(page)).hex()}


@pytest.fixture
def key() -> NodeKey:
    return NodeKey.generate()


@pytest.fixture(scope="module")
def usa_feed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedEnds[TrackChanges]]:
    """USA's end of the track feed (its node on SQLite: these checks touch no database)."""
    node = Node.init(load_settings(tmp_path_factory.mktemp("usa"), nation="USA"))
    yield node.federation.feeds["tracks"]
    node.close()


def _check(
    page: dict[str, Any], key: NodeKey, feed: FeedEnds[TrackChanges]
) -> CheckedPage[TrackChanges] | PageProblem:
    return feed.check(page, partner="JPN", partner_key=key.public_raw)


def test_a_good_page_passes(key: NodeKey, usa_feed: FeedEnds[TrackChanges]) -> None:
    result = _check(_page(key), key, usa_feed)
    assert isinstance(result, CheckedPage)
    assert [t.uid for t in result.content.tracks] == ["JPN-1"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"track": {"owner": "USA"}}, "track_not_owner"),
        ({"track": {"marking": {"releasable_to": ["JPN"], "tlp": None}}}, "track_not_released"),
        ({"to": "GBR"}, "track_addressee"),
        ({"from": "USA"}, "track_addressee"),
        ({"track": {"lat": 123.0}}, "track_invalid"),
        ({"track": {"sidc": "nonsense"}}, "track_invalid"),
        ({"track": {"time": "2026-11-29T00:00:00"}}, "track_invalid"),
        ({"track": {"callsign": "1st\u0000Inf"}}, "track_invalid"),
        ({"track": {"callsign": "\u202efnI ts1"}}, "track_invalid"),
        ({"track": {"remarks": "fine\nthen\u0007"}}, "track_invalid"),
        ({"track": {"time": "9999-12-31T23:00:00Z"}}, "track_invalid"),
        ({"track": {"stale": "0001-01-01T00:00:00+01:00"}}, "track_invalid"),
        ({"withdrawn": [7]}, "track_format"),
        ({"format": "other"}, "track_format"),
    ],
)
def test_each_check_refuses_its_case(
    key: NodeKey, usa_feed: FeedEnds[TrackChanges], changes: dict[str, Any], code: str
) -> None:
    result = _check(_page(key, **changes), key, usa_feed)
    assert isinstance(result, PageProblem)
    assert result.code == code


def test_a_page_signed_by_another_key_or_altered_is_refused(
    key: NodeKey, usa_feed: FeedEnds[TrackChanges]
) -> None:
    other = NodeKey.generate()
    forged = _check(_page(other), key, usa_feed)
    assert isinstance(forged, PageProblem)
    assert forged.code == "track_signature"
    page = _page(key)
    page["tracks"][0]["lat"] = 10.0  # altered after signing
    result = _check(page, key, usa_feed)
    assert isinstance(result, PageProblem)
    assert result.code == "track_signature"


def test_the_japanese_callsign_and_remarks_reach_the_partner(make_node: NodeFactory) -> None:
    jpn, usa = served_pair(make_node)
    jpn.cop.report(
        actor("JPN", "jpn-jjoc"),
        ReportIn(
            uid="JPN-EX-DD08",
            sidc="SFSPCLDD-------",
            callsign="BLUE DD 08 (notional)",
            callsign_ja="演習護衛艦08（想定）",
            remarks="Escort, notional",
            remarks_ja="護衛（想定）\n二行目",
            lat=35.0,
            lon=139.0,
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    _report(jpn, "JPN-EX-DD09", ["USA"])  # no Japanese given
    wait_until(lambda: _has(usa, "JPN-EX-DD09") is not None, what="JPN tracks at USA")
    replica = _has(usa, "JPN-EX-DD08")
    assert replica is not None
    assert (replica.callsign, replica.callsign_ja, replica.remarks, replica.remarks_ja) == (
        "BLUE DD 08 (notional)",
        "演習護衛艦08（想定）",
        "Escort, notional",
        "護衛（想定）\n二行目",
    )
    plain = _has(usa, "JPN-EX-DD09")
    assert plain is not None
    assert (plain.callsign_ja, plain.remarks_ja) == ("", "")
    # Kept on disk at the partner, as the rest of the track is.
    usa.cop.store.flush()
    stored = {t.uid: t for t in usa.cop.store.load()}
    assert (stored["JPN-EX-DD08"].callsign_ja, stored["JPN-EX-DD08"].remarks_ja) == (
        "演習護衛艦08（想定）",
        "護衛（想定）\n二行目",
    )


def test_a_partner_that_sends_no_japanese_fields_is_still_understood() -> None:
    """A partner running a version from before the Japanese fields sends tracks
    without them: they are taken, with no Japanese callsign or remarks."""
    old = {
        "uid": "JPN-OLD-1",
        "owner": "JPN",
        "marking": {"releasable_to": ["JPN", "USA"]},
        "sidc": "SFSPCLDD-------",
        "callsign": "OLD PARTNER 1",
        "lat": 35.0,
        "lon": 139.0,
        "time": "2026-01-01T00:00:00Z",
        "stale": "2026-01-01T00:05:00Z",
        "remarks": "From an older node",
    }
    [track] = check_tracks({"tracks": [old], "withdrawn": []}, me="USA", partner="JPN").tracks
    assert (track.callsign, track.callsign_ja, track.remarks_ja) == ("OLD PARTNER 1", "", "")
    # ... and a track too long in Japanese is refused like one too long in English.
    with pytest.raises(InvalidInput, match="track 0 is not a valid track") as refused:
        check_tracks(
            {"tracks": [dict(old, callsign_ja="長" * 201)], "withdrawn": []},
            me="USA",
            partner="JPN",
        )
    assert refused.value.code == "track_invalid"
