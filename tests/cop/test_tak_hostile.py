"""Hostile TAK input closes only its own connection; everyone else carries on.

For each attack, a JPN sender keeps reporting to a USA watcher before and
after; the attacker's connection is closed by the server, nothing it sent is
stored, and what was stored before is still there (in memory and on disk).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime, timedelta

import pytest

from alliance.cop.cot import CotEvent, to_proto_frame, to_xml

from .conftest import Tak

NOW = datetime.now(UTC)


def _cot(uid: str, *, rel: str = "USA") -> bytes:
    ev = CotEvent(
        uid=uid,
        type="a-f-A-M-F",
        time=NOW,
        start=NOW,
        stale=NOW + timedelta(minutes=10),
        lat=26.2,
        lon=127.7,
        callsign=uid,
        extra={"releasable_to": rel},
    )
    return to_xml(ev)


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<event version="2.0" uid="BOMB" type="a-f-G" how="m-g" time="2026-01-01T00:00:00Z"
 start="2026-01-01T00:00:00Z" stale="2030-01-01T00:00:00Z">
<point lat="0" lon="0" hae="0" ce="0" le="0"/><detail><contact callsign="&lol4;"/></detail></event>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE event [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<event version="2.0" uid="XXE" type="a-f-G" how="m-g" time="2026-01-01T00:00:00Z"
 start="2026-01-01T00:00:00Z" stale="2030-01-01T00:00:00Z">
<point lat="0" lon="0" hae="0" ce="0" le="0"/><detail><contact callsign="&xxe;"/></detail></event>"""

HUGE = (
    b'<event version="2.0" uid="HUGE" type="a-f-G" how="m-g" time="2026-01-01T00:00:00Z" '
    b'start="2026-01-01T00:00:00Z" stale="2030-01-01T00:00:00Z">'
    b'<point lat="0" lon="0" hae="0" ce="0" le="0"/><detail><remarks>'
    + b"A" * (10 * 1024 * 1024)
    + b"</remarks></detail></event>"
)

ATTACKS = {
    "entity-bomb": ENTITY_BOMB,
    "external-entity": EXTERNAL_ENTITY,
    "10-MB-event": HUGE,
    "garbage": bytes(range(1, 256)) * 64,
    "bad-XML": b'<event uid="BAD" type="a-f-G"><point lat="x"/></event>',
    "proto-frame-announcing-1-GB": b"\xbf" + bytes([0x80, 0x80, 0x80, 0x80, 0x04]) + b"\x00" * 16,
    "proto-frame-not-protobuf": b"\xbf\x10" + b"\xff" * 16,
}


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_hostile_stream_closes_only_its_connection(
    tak: Tak, attack: str, caplog: pytest.LogCaptureFixture
) -> None:
    jpn = tak.client("JPN")
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn.send(_cot("JPN-BEFORE"))
    usa.read_until(lambda e: e.uid == "JPN-BEFORE")

    hostile = tak.client("JPN")
    hostile.read_until(lambda e: e.type == "t-x-takp-v")
    with caplog.at_level(logging.INFO, logger="alliance.cop.tak"):
        # the server may close while a 10 MB event is still being sent
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            hostile.send(ATTACKS[attack])
        assert hostile.closed_by_server()
    assert any("closed" in r.getMessage() for r in caplog.records), "no logged reason"

    # Everyone else carries on: the sender's next report reaches the watcher.
    jpn.send(_cot("JPN-AFTER"))
    got = usa.read_until(lambda e: e.uid == "JPN-AFTER")
    assert {"JPN-BEFORE", "JPN-AFTER"} <= {e.uid for e in got}

    hub = tak.node.cop.hub
    assert {t.uid for t in hub.picture("JPN")} >= {"JPN-BEFORE", "JPN-AFTER"}
    assert not {"BOMB", "XXE", "HUGE", "BAD"} & {t.uid for t in hub.picture("JPN")}
    tak.node.cop.store.flush()
    stored = {t.uid for t in tak.node.cop.store.load()}
    assert {"JPN-BEFORE", "JPN-AFTER"} <= stored
    assert not {"BOMB", "XXE", "HUGE", "BAD"} & stored


def test_truncated_event_is_dropped_and_the_rest_kept(tak: Tak) -> None:
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    cut = tak.client("JPN")
    whole = _cot("JPN-WHOLE")
    half = _cot("JPN-HALF")
    cut.send(whole + half[: len(half) // 2])
    cut.close()  # the client goes away mid-event
    usa.read_until(lambda e: e.uid == "JPN-WHOLE")
    assert "JPN-WHOLE" in {e.uid for e in usa.events}
    usa.read_until(lambda e: e.uid == "JPN-HALF", timeout=0.5)
    assert "JPN-HALF" not in {e.uid for e in usa.events}
    # and a truncated TAK protocol frame likewise
    proto = tak.client("JPN")
    frame = to_proto_frame(
        CotEvent(
            uid="JPN-PROTO-HALF",
            type="a-f-G",
            time=NOW,
            start=NOW,
            stale=NOW + timedelta(minutes=5),
            lat=1.0,
            lon=2.0,
        )
    )
    proto.send(frame[:-5])
    proto.close()
    other = tak.client("JPN")
    other.send(_cot("JPN-NEXT"))
    usa.read_until(lambda e: e.uid == "JPN-NEXT")
    assert "JPN-PROTO-HALF" not in {t.uid for t in tak.node.cop.hub.picture("JPN")}
    assert tak.node.cop.hub.get("JPN-WHOLE", "USA") is not None


def test_a_report_no_track_can_hold_is_refused_and_the_connection_goes_on(tak: Tak) -> None:
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn = tak.client("JPN")
    # Well-formed CoT, but a time at the end of the calendar: its stale time cannot exist.
    jpn.send(
        b'<event version="2.0" uid="JPN-FAR" type="a-f-G" how="m-g" time="9999-12-31T23:59:59Z" '
        b'start="9999-12-31T23:59:59Z" stale="2000-01-01T00:00:00Z">'
        b'<point lat="1" lon="2" hae="0" ce="1" le="1"/><detail><alliance releasable_to="USA"/>'
        b"</detail></event>"
    )
    jpn.send(_cot("JPN-NEAR"))
    usa.read_until(lambda e: e.uid == "JPN-NEAR")
    assert "JPN-NEAR" in {e.uid for e in usa.events}
    assert "JPN-FAR" not in {e.uid for e in usa.events}
    assert tak.node.cop.hub.get("JPN-FAR", "JPN") is None


def test_a_report_from_the_future_does_not_freeze_a_track(tak: Tak) -> None:
    """A client with a wrong clock: its report of 2099 is refused, so the true
    reports that follow still move the track."""
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn = tak.client("JPN")
    future = _cot("JPN-CLOCK").replace(NOW.strftime("%Y-").encode(), b"2099-")
    jpn.send(future)
    jpn.send(_cot("JPN-CLOCK"))
    usa.read_until(lambda e: e.uid == "JPN-CLOCK")
    track = tak.node.cop.hub.get("JPN-CLOCK", "USA")
    assert track is not None
    assert track.time.year == NOW.year
