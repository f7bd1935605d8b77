"""CoT XML and TAK protocol v1: byte-stable output, safe parsing, hostile input refused."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import takproto
from takproto.constants import TAKProtoVer

from alliance.cop.cot import (
    MAX_EVENT_BYTES,
    CotError,
    CotEvent,
    StreamDecoder,
    cot_type_to_sidc,
    parse_xml,
    read_varint,
    sidc_to_cot_type,
    to_message,
    to_proto_frame,
    to_xml,
    varint,
)

GOLDEN = Path(__file__).parents[1] / "golden"
T0 = datetime(2024, 7, 27, 12, 0, tzinfo=UTC)


def _event(**kw: object) -> CotEvent:
    base: dict[str, object] = {
        "uid": "JPN-EX-DD03",
        "type": "a-f-S-C-L-D-D",
        "time": T0,
        "start": T0,
        "stale": T0 + timedelta(minutes=5),
        "lat": 35.2833,
        "lon": 139.6667,
        "hae": 0.0,
        "callsign": "BLUE DD 03 / 演習護衛艦03",
        "group_name": "Cyan",
        "group_role": "Team Member",
        "course": 92.5,
        "speed": 8.2,
        "remarks": "Exercise <NOTIONAL> & fictional",
        "extra": {"owner": "JPN", "releasable_to": "JPN,USA"},
    }
    base.update(kw)
    return CotEvent(**base)  # type: ignore[arg-type]


def test_xml_output_matches_the_golden_file() -> None:
    assert to_xml(_event()) == (GOLDEN / "cot_event.xml").read_bytes().strip()


def test_xml_round_trips() -> None:
    ev = _event()
    assert parse_xml(to_xml(ev)) == ev


def test_protobuf_round_trips_through_a_stream_frame() -> None:
    ev = _event()
    decoded = StreamDecoder().feed(to_proto_frame(ev))
    assert decoded == [ev]


def test_our_protobuf_is_what_takproto_reads() -> None:
    parsed = takproto.parse_proto(bytearray(to_proto_frame(_event())))
    assert parsed is not None
    assert parsed.cotEvent.uid == "JPN-EX-DD03"
    assert parsed.cotEvent.detail.contact.callsign == "BLUE DD 03 / 演習護衛艦03"
    assert abs(parsed.cotEvent.lat - 35.2833) < 1e-9


def test_takproto_frames_decode_here() -> None:
    xml = to_xml(_event(remarks="", extra={}))
    frame = bytes(takproto.xml2proto(xml.decode(), TAKProtoVer.STREAM))
    (ev,) = StreamDecoder().feed(frame)
    assert ev.uid == "JPN-EX-DD03"
    assert ev.callsign == "BLUE DD 03 / 演習護衛艦03"
    assert ev.course == pytest.approx(92.5)


@pytest.mark.parametrize(
    ("sidc", "cot"),
    [
        ("SFGPUCI----H---", "a-f-G-U-C-I"),
        ("SFSPCLDD-------", "a-f-S-C-L-D-D"),
        ("SFAPMFF--------", "a-f-A-M-F-F"),
        ("SHGPUCA--------", "a-h-G-U-C-A"),
    ],
)
def test_sidc_and_cot_type_map_both_ways(sidc: str, cot: str) -> None:
    assert sidc_to_cot_type(sidc) == cot
    assert sidc_to_cot_type(cot_type_to_sidc(cot)) == cot


def test_a_stream_of_mixed_xml_and_protobuf_splits_into_events() -> None:
    a, b = _event(uid="A"), _event(uid="B")
    data = to_xml(a) + b"\n" + to_proto_frame(b) + to_xml(a)
    decoder = StreamDecoder()
    out = []
    for i in range(0, len(data), 7):  # arrives in small pieces
        out.extend(decoder.feed(data[i : i + 7]))
    assert [e.uid for e in out] == ["A", "B", "A"]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<event uid="&lol3;" type="a-f-G" time="2024-07-27T12:00:00Z" stale="2024-07-27T12:05:00Z">
<point lat="0" lon="0"/></event>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<event uid="&xxe;" type="a-f-G" time="2024-07-27T12:00:00Z" stale="2024-07-27T12:05:00Z">
<point lat="0" lon="0"/></event>"""


@pytest.mark.parametrize(
    ("data", "why"),
    [
        pytest.param(BOMB, "DTDs and entities are not accepted", id="entity-expansion"),
        pytest.param(EXTERNAL, "DTDs and entities are not accepted", id="external-entity"),
        pytest.param(b"<event><point", "not well-formed XML", id="truncated"),
        pytest.param(b"<notcot/>", "root element is <notcot>, not <event>", id="wrong-root"),
        pytest.param(
            b'<event uid="x" type="a-f-G" time="2024-07-27T12:00:00Z" stale="2024-07-27T12:05:00Z">'
            b'<point lat="95" lon="0"/></event>',
            "lat 95 out of range",
            id="lat-out-of-range",
        ),
        pytest.param(
            b'<event uid="x" type="a-f-G" time="never" stale="2024-07-27T12:05:00Z">'
            b'<point lat="1" lon="0"/></event>',
            "time is not an ISO 8601 time",
            id="bad-time",
        ),
        pytest.param(
            b'<event uid="x" type="a-f-G" time="0001-01-01T00:00:00+01:00" '
            b'stale="2024-07-27T12:05:00Z"><point lat="1" lon="0"/></event>',
            "time 0001-01-01T00:00:00+01:00 is out of range",
            id="time-with-no-utc-equivalent",
        ),
        pytest.param(
            b'<event uid="x"' + b" " * (MAX_EVENT_BYTES + 1) + b"/>",
            f"larger than {MAX_EVENT_BYTES} bytes",
            id="too-large",
        ),
        # No declaration, so the fast parser sees it: an entity it cannot know is an error.
        pytest.param(
            b'<event uid="&xxe;" type="a-f-G" time="2024-07-27T12:00:00Z" '
            b'stale="2024-07-27T12:05:00Z"><point lat="1" lon="0"/></event>',
            "Entity 'xxe' not defined",
            id="undeclared-entity",
        ),
        pytest.param(
            b'<event uid="x" type="a-f-G" time="2024-07-27T12:00:00Z" '
            b'stale="2024-07-27T12:05:00Z"><point lat="1" lon="0"/></event><extra/>',
            "Extra content at the end of the document",
            id="junk-after-the-document",
        ),
    ],
)
def test_hostile_or_broken_xml_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(CotError, match=re.escape(why)) as caught:
        parse_xml(data)
    assert (caught.value.code, caught.value.field) == ("invalid_cot", "event")


def test_a_comment_takes_the_strict_path_and_still_parses() -> None:
    """A document with ``<!`` goes to defusedxml; a harmless comment is fine there."""
    doc = to_xml(_event()).replace(b"<detail>", b"<!-- note --><detail>")
    assert parse_xml(doc) == _event()


def test_the_decoder_refuses_an_oversized_event_before_it_ends() -> None:
    decoder = StreamDecoder()
    with pytest.raises(CotError, match=f"an event is larger than {MAX_EVENT_BYTES} bytes"):
        decoder.feed(b"<event " + b"x" * (MAX_EVENT_BYTES + 10))


def test_the_decoder_refuses_a_frame_announcing_ten_megabytes() -> None:
    with pytest.raises(CotError, match="a frame announces 10000000 bytes"):
        StreamDecoder().feed(b"\xbf" + varint(10_000_000) + b"\x00" * 16)


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**21, 2**35, 2**63])
def test_varints_round_trip(value: int) -> None:
    encoded = varint(value)
    assert read_varint(encoded) == (value, len(encoded))
    assert read_varint(encoded[:-1]) is None


def test_the_decoder_refuses_garbage() -> None:
    with pytest.raises(CotError, match="neither CoT XML nor TAK protocol"):
        StreamDecoder().feed(b"\x00\x01garbage")


def test_message_has_group_and_track() -> None:
    msg = to_message(_event())
    assert msg.cotEvent.detail.group.name == "Cyan"
    assert msg.cotEvent.detail.track.speed == pytest.approx(8.2)


def test_a_released_unmanned_track_matches_the_golden_file() -> None:
    """What a TAK client receives for a partner's drone: owner, release, operator, link."""
    from alliance.cop.tracks import LinkStatus, Track
    from alliance.core.markings import Marking

    track = Track(
        uid="USA-EX-UAS44",
        owner="USA",
        marking=Marking.of("USA", ["JPN"]),
        sidc="SFAPMFQ--------",
        callsign="BLUE UAS 44",
        lat=26.3556,
        lon=127.7681,
        time=T0,
        stale=T0 + timedelta(minutes=2),
        hae=7600.0,
        course=315.0,
        speed=80.0,
        source="tak",
        unmanned=True,
        operator_nation="USA",
        control_link=LinkStatus.DEGRADED,
    )
    assert to_xml(track.to_cot()) == (GOLDEN / "cot_track_uav.xml").read_bytes().strip()


def test_a_track_in_both_languages_keeps_the_english_for_tak_and_the_japanese_in_our_detail() -> (
    None
):
    """A TAK client reads <contact callsign> and <remarks>: the English (or only)
    ones. The Japanese ride in <alliance> and come back whole, line breaks and
    all, through XML and through TAK protocol v1."""
    from alliance.cop.tracks import Track, track_from_cot
    from alliance.core.markings import Marking

    remarks_ja = "演習用の護衛艦（想定）\n" + "長" * 1900  # longer than other <alliance> values
    track = Track(
        uid="JPN-EX-DD07",
        owner="JPN",
        marking=Marking.of("JPN", ["USA"]),
        sidc="SFSPCLDD-------",
        callsign="BLUE DD 07 (notional)",
        callsign_ja="演習護衛艦07（想定）",
        remarks="Escort <notional> & fictional",
        remarks_ja=remarks_ja,
        lat=35.0,
        lon=139.0,
        time=T0,
        stale=T0 + timedelta(minutes=5),
    )
    xml = to_xml(track.to_cot())
    parsed = takproto.parse_proto(to_proto_frame(track.to_cot()))
    assert parsed.cotEvent.detail.contact.callsign == "BLUE DD 07 (notional)"
    for ev in (parse_xml(xml), StreamDecoder().feed(to_proto_frame(track.to_cot()))[0]):
        assert (ev.callsign, ev.remarks) == ("BLUE DD 07 (notional)", track.remarks)
        back = track_from_cot(ev, owner="JPN", default=Marking.national("JPN"), source="tak")
        assert (back.callsign, back.callsign_ja) == (track.callsign, track.callsign_ja)
        assert (back.remarks, back.remarks_ja) == (track.remarks, remarks_ja)
    # A track without Japanese writes exactly what it wrote before they existed.
    assert b"_ja" not in to_xml(replace(track, callsign_ja="", remarks_ja="").to_cot())


def test_japanese_text_from_a_tak_client_is_checked_like_the_english() -> None:
    from alliance.cop.tracks import track_from_cot
    from alliance.core.errors import InvalidInput
    from alliance.core.markings import Marking

    for key, bad in (("callsign_ja", "護衛艦\u202e"), ("remarks_ja", "備考\u0007")):
        ev = _event(extra={"owner": "JPN", key: bad})
        with pytest.raises(InvalidInput) as refused:
            track_from_cot(ev, owner="JPN", default=Marking.national("JPN"), source="tak")
        assert (refused.value.field, refused.value.code) == (key, "control_character")
