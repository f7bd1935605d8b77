"""Tracks over TAK: a client moves only its own nation's tracks, whatever uid it
uses, never learns whether another nation holds that uid, and what no track can
hold (control characters, times out of range) is refused event by event."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from alliance.cop.cot import CotEvent, to_proto_frame, to_xml

from .conftest import Client, Tak

NOW = datetime.now(UTC)


def _event(uid: str, *, rel: str | None = None, lat: float = 35.0, **changes: object) -> CotEvent:
    fields: dict[str, object] = {
        "uid": uid,
        "type": "a-f-S-C-L",
        "time": NOW,
        "start": NOW,
        "stale": NOW + timedelta(minutes=10),
        "lat": lat,
        "lon": 139.0,
        "callsign": uid,
        "extra": {"releasable_to": rel} if rel is not None else {},
    }
    fields.update(changes)
    return CotEvent(**fields)  # type: ignore[arg-type]


def _tracks(events: list[CotEvent]) -> list[str]:
    """The uids of the track events a client was sent, in order (no control messages)."""
    return [e.uid for e in events if not e.type.startswith("t-")]


def _xml(uid: str, **kw: object) -> bytes:
    return to_xml(_event(uid, **kw))  # type: ignore[arg-type]


def _speak_protobuf(client: Client) -> None:
    """TAK protocol v1 negotiation, as ATAK does it after the server's offer."""
    client.read_until(lambda e: e.type == "t-x-takp-v")
    stamp = f"{NOW:%Y-%m-%dT%H:%M:%SZ}"
    client.send(
        f'<event version="2.0" uid="proto" type="t-x-takp-q" how="m-g" time="{stamp}" '
        f'start="{stamp}" stale="{NOW + timedelta(minutes=1):%Y-%m-%dT%H:%M:%SZ}">'
        '<point lat="0" lon="0" hae="0" ce="999999" le="999999"/>'
        '<detail><TakControl><TakRequest version="1"/></TakControl></detail></event>'.encode()
    )
    client.read_until(lambda e: e.type == "t-x-takp-r")


def test_a_report_under_a_partners_uid_is_a_track_of_the_reporters_own(tak: Tak) -> None:
    """USA reports under the uid of a JPN track: it becomes USA's track. JPN's
    track does not move, JPN's clients keep seeing JPN's, USA's see USA's."""
    jpn = tak.client("JPN")
    usa = tak.client("USA")
    usa_watcher = tak.client("USA")
    usa_watcher.read_until(lambda e: e.type == "t-x-takp-v")
    jpn.send(_xml("JPN-OWNED", rel="USA", lat=35.0))
    usa.read_until(lambda e: e.uid == "JPN-OWNED")
    usa_watcher.read_until(lambda e: e.uid == "JPN-OWNED")

    usa.send(_xml("JPN-OWNED", rel="JPN", lat=10.0) + _xml("USA-BARRIER", rel="JPN"))
    jpn.read_until(lambda e: e.uid == "USA-BARRIER")
    usa_watcher.read_until(lambda e: e.uid == "JPN-OWNED" and e.lat == 10.0)
    # JPN's clients never see USA's track under JPN's uid: JPN's own shadows it.
    assert _tracks(jpn.events) == ["USA-BARRIER"]
    # USA's clients see USA's own (the reporter is not sent its report back).
    seen = [(e.extra["owner"], e.lat) for e in usa_watcher.events if e.uid == "JPN-OWNED"]
    assert seen == [("JPN", 35.0), ("USA", 10.0)]

    hub = tak.node.cop.hub
    theirs = hub.get("JPN-OWNED", "JPN")
    assert theirs is not None
    assert (theirs.owner, theirs.lat, theirs.marking.nations) == ("JPN", 35.0, ["JPN", "USA"])
    ours = hub.get("JPN-OWNED", "USA")
    assert ours is not None
    assert (ours.owner, ours.lat) == ("USA", 10.0)
    # A new connection gets one track per uid: its own nation's.
    late = tak.client("JPN")
    late.read_until(lambda e: e.uid == "USA-BARRIER")
    assert [(e.extra["owner"], e.lat) for e in late.events if e.uid == "JPN-OWNED"] == [
        ("JPN", 35.0)
    ]


def test_a_nul_in_a_protobuf_event_refuses_that_event_and_the_connection_goes_on(
    tak: Tak, caplog: pytest.LogCaptureFixture
) -> None:
    """TAK protocol v1 carries a NUL that XML cannot: that event is refused, the
    connection's events before and after it are taken, and the store keeps saving."""
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn = tak.client("JPN")
    _speak_protobuf(jpn)
    with caplog.at_level(logging.INFO, logger="alliance.cop.tak"):
        jpn.send(
            to_proto_frame(_event("JPN-BEFORE", rel="USA"))
            + to_proto_frame(_event("JPN-NUL", rel="USA", callsign="JPN\x00NUL"))
            + to_proto_frame(_event("JPN-AFTER", rel="USA"))
        )
        usa.read_until(lambda e: e.uid == "JPN-AFTER")
    assert _tracks(usa.events) == ["JPN-BEFORE", "JPN-AFTER"]
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1, refusals
    assert "JPN-NUL" in refusals[0], refusals
    assert "U+0000" in refusals[0], refusals

    jpn.send(to_proto_frame(_event("JPN-LATER", rel="USA")))  # still connected
    usa.read_until(lambda e: e.uid == "JPN-LATER")
    assert _tracks(usa.events) == ["JPN-BEFORE", "JPN-AFTER", "JPN-LATER"]
    store = tak.node.cop.store
    store.flush()
    assert {t.uid for t in store.load()} == {"JPN-BEFORE", "JPN-AFTER", "JPN-LATER"}
    assert store.refused == 0


UNHOLDABLE = {
    "bidi-override-callsign": _event("JPN-BAD", rel="USA", callsign="\u202eLIAR"),
    "c1-control-callsign": _event("JPN-BAD", rel="USA", callsign="A\x85B"),
    "time-before-1900": _event("JPN-BAD", rel="USA", time=datetime(1850, 1, 1, tzinfo=UTC)),
    "stale-after-2200": _event("JPN-BAD", rel="USA", stale=datetime(2300, 1, 1, tzinfo=UTC)),
    "not-a-sidc": _event("JPN-BAD", extra={"releasable_to": "USA", "sidc": "X" * 90}),
    "overlong-how": _event("JPN-BAD", rel="USA", how="m-" * 40),
}


@pytest.mark.parametrize("label", list(UNHOLDABLE), ids=list(UNHOLDABLE))
def test_an_xml_event_no_track_can_hold_is_refused_and_the_connection_goes_on(
    tak: Tak, label: str
) -> None:
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn = tak.client("JPN")
    jpn.send(to_xml(UNHOLDABLE[label]) + _xml("JPN-GOOD", rel="USA"))
    assert _tracks(usa.read_until(lambda e: e.uid == "JPN-GOOD")) == ["JPN-GOOD"]
    assert tak.node.cop.hub.get("JPN-BAD", "JPN") is None
    store = tak.node.cop.store
    store.flush()
    assert {t.uid for t in store.load()} == {"JPN-GOOD"}
    assert store.refused == 0
