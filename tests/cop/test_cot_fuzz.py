"""Fuzzing the CoT stream decoder: whatever arrives, the answer is events or a
CotError (which closes that one connection) — never another exception, and
never more buffered than the limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.cop.cot import CotError, CotEvent, StreamDecoder, to_proto_frame, to_xml

T = datetime(2026, 11, 29, tzinfo=UTC)
GOOD = CotEvent(
    uid="JPN-1",
    type="a-f-G-U-C",
    time=T,
    start=T,
    stale=T + timedelta(minutes=5),
    lat=35.0,
    lon=139.0,
    callsign="演習護衛艦03",
    remarks="a & b",
    extra={"releasable_to": "USA"},
)
SEEDS = [to_xml(GOOD), to_proto_frame(GOOD)]


def _feed_all(chunks: list[bytes], limit: int) -> None:
    decoder = StreamDecoder(max_bytes=limit)
    try:
        for chunk in chunks:
            for ev in decoder.feed(chunk):
                assert isinstance(ev, CotEvent)
            assert len(decoder.buffer) <= limit
    except CotError:
        pass  # refused: the server closes this connection and nothing else


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=512), max_size=8))
def test_random_bytes_give_events_or_a_cot_error(chunks: list[bytes]) -> None:
    _feed_all(chunks, 4096)


@settings(max_examples=300, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=6),
    cut=st.integers(min_value=0),
    split=st.integers(min_value=1, max_value=64),
)
def test_mutated_events_give_events_or_a_cot_error(
    seed: bytes, flips: list[tuple[int, int]], cut: int, split: int
) -> None:
    data = bytearray(seed * 2)
    for pos, value in flips:
        data[pos % len(data)] = value
    data = data[: max(1, cut % (len(data) + 1))]
    chunks = [bytes(data[i : i + split]) for i in range(0, len(data), split)]
    _feed_all(chunks, 4096)


def test_the_unmutated_seeds_decode() -> None:
    for seed in SEEDS:
        assert StreamDecoder().feed(seed) == [GOOD]


def _frame(**fields: float | int) -> bytes:
    from takproto.proto import TakMessage

    from alliance.cop.cot import varint

    msg = TakMessage()
    e = msg.cotEvent
    e.uid, e.type = "JPN-X", "a-f-G"
    e.sendTime = e.startTime = 1_764_374_400_000
    e.staleTime = e.sendTime + 60_000
    e.lat, e.lon = 35.0, 139.0
    for name, value in fields.items():
        if name in ("course", "speed"):
            setattr(e.detail.track, name, value)
        else:
            setattr(e, name, value)
    payload: bytes = msg.SerializeToString()
    return b"\xbf" + varint(len(payload)) + payload


@pytest.mark.parametrize(
    "fields",
    [
        {"staleTime": 2**63 - 1},
        {"sendTime": 2**62},
        {"lat": float("nan")},
        {"lon": float("inf")},
        {"hae": float("nan")},
        {"ce": -5.0},
        {"course": 720.0},
        {"speed": float("-inf")},
    ],
    ids=lambda f: next(iter(f)),
)
def test_protobuf_values_out_of_range_are_a_cot_error(fields: dict[str, float | int]) -> None:
    assert StreamDecoder().feed(_frame()) != []  # the frame itself is fine
    with pytest.raises(CotError):
        StreamDecoder().feed(_frame(**fields))


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "sendTime": st.integers(0, 2**64 - 1),
            "startTime": st.integers(0, 2**64 - 1),
            "staleTime": st.integers(0, 2**64 - 1),
            "lat": st.floats(),
            "lon": st.floats(),
            "hae": st.floats(),
            "ce": st.floats(),
            "le": st.floats(),
            "course": st.floats(),
            "speed": st.floats(),
        },
    )
)
def test_any_protobuf_field_values_give_an_event_or_a_cot_error(
    fields: dict[str, float | int],
) -> None:
    _feed_all([_frame(**fields)], 4096)
