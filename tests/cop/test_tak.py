"""The TAK server on the wire: identity, releasability, TAK protocol v1, hostile input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import takproto
from takproto.constants import TAKProtoVer

from alliance.cop.cot import CotEvent, read_varint, to_xml

from .conftest import Tak

NOW = datetime.now(UTC)


def _tracks(events: list[CotEvent]) -> list[str]:
    """The uids of the track events a client was sent, in order (no control messages)."""
    return [e.uid for e in events if not e.type.startswith("t-")]


def _cot(uid: str, *, rel: str | None = None, lat: float = 35.0) -> bytes:
    extra = {"releasable_to": rel} if rel is not None else {}
    ev = CotEvent(
        uid=uid,
        type="a-f-G-U-C-I",
        time=NOW,
        start=NOW,
        stale=NOW + timedelta(minutes=10),
        lat=lat,
        lon=139.0,
        callsign=uid,
        extra=extra,
    )
    return to_xml(ev)


def test_each_nation_receives_exactly_what_is_released_to_it(tak: Tak) -> None:
    jpn = tak.client("JPN")
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn.read_until(lambda e: e.type == "t-x-takp-v")
    # The national-only report first, the released one as the barrier: had the
    # first been sent to USA, it would have arrived before the second.
    jpn.send(_cot("JPN-NATIONAL") + _cot("JPN-SHARED", rel="USA"))
    assert _tracks(usa.read_until(lambda e: e.uid == "JPN-SHARED")) == ["JPN-SHARED"]
    shared = next(e for e in usa.events if e.uid == "JPN-SHARED")
    assert shared.extra["owner"] == "JPN"
    assert shared.extra["releasable_to"] == "JPN,USA"
    # The sender is not sent its own reports back (a USA report after them is the barrier).
    usa.send(_cot("USA-BARRIER", rel="JPN"))
    assert _tracks(jpn.read_until(lambda e: e.uid == "USA-BARRIER")) == ["USA-BARRIER"]
    # Both are in the node's picture, owned by JPN whatever the event claimed.
    hub = tak.node.cop.hub
    assert {(t.uid, t.owner) for t in hub.picture("JPN")} == {
        ("JPN-SHARED", "JPN"),
        ("JPN-NATIONAL", "JPN"),
        ("USA-BARRIER", "USA"),
    }
    assert {(t.uid, t.owner) for t in hub.picture("USA")} == {
        ("JPN-SHARED", "JPN"),
        ("USA-BARRIER", "USA"),
    }


def test_a_new_connection_gets_the_released_picture(tak: Tak) -> None:
    jpn = tak.client("JPN")
    jpn.send(_cot("JPN-EARLY", rel="USA") + _cot("JPN-SECRET"))
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    while tak.node.cop.hub.get("JPN-SECRET", "JPN") is None and datetime.now(UTC) < deadline:
        jpn.read_until(lambda e: False, timeout=0.1)
    usa = tak.client("USA")
    usa.read_until(lambda e: e.uid == "JPN-EARLY")
    # A live report after the connection joined comes after its whole picture: the barrier.
    jpn.send(_cot("JPN-LATE", rel="USA"))
    assert _tracks(usa.read_until(lambda e: e.uid == "JPN-LATE")) == ["JPN-EARLY", "JPN-LATE"]


def test_a_partner_cannot_move_our_track_over_tak(tak: Tak) -> None:
    jpn = tak.client("JPN")
    jpn.send(_cot("JPN-OWNED", rel="USA", lat=35.0))
    usa = tak.client("USA")
    usa.read_until(lambda e: e.uid == "JPN-OWNED")
    usa.send(_cot("JPN-OWNED", rel="USA", lat=10.0))
    usa.send(_cot("USA-OWN", rel="JPN"))  # the connection still works afterwards
    jpn.read_until(lambda e: e.uid == "USA-OWN")
    track = tak.node.cop.hub.get("JPN-OWNED", "JPN")
    assert track is not None
    assert track.lat == 35.0
    assert track.owner == "JPN"


def test_no_token_or_a_bad_one_gets_nothing(tak: Tak) -> None:
    jpn = tak.client("JPN")
    jpn.send(_cot("JPN-X", rel="USA"))
    stranger = tak.client(None, "alc_not-a-token")
    assert stranger.closed_by_server()
    assert stranger.events == []
    silent = tak.client(None)
    silent.send(_cot("INTRUDER"))
    assert silent.closed_by_server(timeout=15)
    assert tak.node.cop.hub.get("INTRUDER", "JPN") is None


def test_a_user_disabled_while_connected_is_disconnected(tak: Tak) -> None:
    usa = tak.client("USA")
    jpn = tak.client("JPN")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn.read_until(lambda e: e.type == "t-x-takp-v")
    actor = tak.node.users.authenticate(tak.token("USA", "staff_officer", "usa-jfhq"))
    tak.node.users.disable(actor.user_id)
    assert usa.closed_by_server(timeout=5)
    # Others are untouched.
    jpn.send(_cot("JPN-STILL", rel="USA"))
    watcher = tak.client("JPN")
    assert _tracks(watcher.read_until(lambda e: e.uid == "JPN-STILL")) == ["JPN-STILL"]


def test_ping_gets_pong(tak: Tak) -> None:
    c = tak.client("JPN")
    ping = CotEvent(
        uid="ping",
        type="t-x-c-t",
        time=NOW,
        start=NOW,
        stale=NOW + timedelta(seconds=20),
        lat=0.0,
        lon=0.0,
    )
    c.send(to_xml(ping))
    assert any(e.type == "t-x-c-t-r" for e in c.read_until(lambda e: e.type == "t-x-c-t-r"))


def test_takproto_client_negotiates_v1_and_speaks_protobuf(tak: Tak) -> None:
    c = tak.client("JPN")
    c.read_until(lambda e: e.type == "t-x-takp-v")
    request = (
        f'<event version="2.0" uid="proto" type="t-x-takp-q" how="m-g" time="{NOW:%Y-%m-%dT%H:%M:%SZ}" '
        f'start="{NOW:%Y-%m-%dT%H:%M:%SZ}" stale="{NOW + timedelta(minutes=1):%Y-%m-%dT%H:%M:%SZ}">'
        '<point lat="0" lon="0" hae="0" ce="999999" le="999999"/>'
        '<detail><TakControl><TakRequest version="1"/></TakControl></detail></event>'
    ).encode()
    c.send(request)
    c.read_until(lambda e: e.type == "t-x-takp-r")
    # From here both sides speak TAK protocol v1 stream frames.
    frame = bytes(takproto.xml2proto(_cot("JPN-PROTO", rel="USA").decode(), TAKProtoVer.STREAM))
    c.send(frame)
    usa = tak.client("USA")
    assert _tracks(usa.read_until(lambda e: e.uid == "JPN-PROTO")) == ["JPN-PROTO"]
    proto = tak.node.cop.hub.get("JPN-PROTO", "USA")
    assert proto is not None
    assert (proto.owner, proto.lat, proto.marking.nations) == ("JPN", 35.0, ["JPN", "USA"])
    # and everything the server sends this client from now on is TAK protocol v1
    # stream frames, each of which takproto itself reads.
    usa.send(_cot("USA-BACK", rel="JPN"))
    c.sock.settimeout(5)
    data = b""
    uids: list[str] = []
    while "USA-BACK" not in uids:
        data += c.sock.recv(65536)
        uids, rest = _frames(data)
        assert rest == b"" or rest[0] == 0xBF, "non-protobuf bytes after the switch"
    assert data[0] == 0xBF


def _frames(data: bytes) -> tuple[list[str], bytes]:
    """The uids of the complete stream frames in ``data`` (read by takproto), and the rest."""
    uids: list[str] = []
    pos = 0
    while pos < len(data) and data[pos] == 0xBF:
        header = read_varint(data, pos + 1)
        if header is None:
            break
        size, start = header
        if len(data) < start + size:
            break
        parsed = takproto.parse_proto(bytearray(data[pos : start + size]))
        assert parsed is not None
        assert parsed != -1
        uids.append(parsed.cotEvent.uid)
        pos = start + size
    return uids, data[pos:]
