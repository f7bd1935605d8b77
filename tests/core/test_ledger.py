"""The ledger: sealed events form a signed hash chain, and any tampering is
reported at the first bad sequence number."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alliance.core.authority import Actor, Grant, Role
from alliance.core.keys import NodeKey, verify_signature
from alliance.core.ledger import GENESIS_PREV, Event, EventDraft, seal, seal_all, verify
from alliance.core.markings import Marking

T0 = datetime(2024, 7, 27, 12, 0, tzinfo=UTC)
ACTOR = Actor("u1", "JJOC commander", "JPN", "jpn-jjoc", Role.COMMANDER)


def _draft(i: int) -> EventDraft:
    # Vary the marking so that rel and tlp columns differ between events.
    marking = Marking.of("JPN", ["USA"] if i % 2 else [], "AMBER" if i % 3 == 0 else None)
    return EventDraft(
        kind="unit.changed",
        object_type="unit",
        object_id=f"jpn-unit-{i}",
        owner="JPN",
        marking=marking,
        data={"state": {"name": f"unit {i}", "note": "original"}},
        actor=ACTOR,
        authority=Grant("unit.change", "JPN commander of jpn-jjoc, owner chain of command"),
    )


def _chain(key: NodeKey, n: int) -> list[Event]:
    events: list[Event] = []
    prev = GENESIS_PREV
    for seq in range(1, n + 1):
        ev = seal(
            _draft(seq), seq=seq, prev_hash=prev, ts=T0 + timedelta(minutes=seq), node="n1", key=key
        )
        events.append(ev)
        prev = ev.hash
    return events


@pytest.fixture(scope="module")
def key() -> NodeKey:
    return NodeKey.generate()


@pytest.fixture(scope="module")
def chain(key: NodeKey) -> list[Event]:
    return _chain(key, 12)


def test_sealed_chain_verifies(key: NodeKey, chain: list[Event]) -> None:
    report = verify(chain, key.public_raw, workers=1)
    assert report.ok
    assert report.problem is None
    assert report.checked == len(chain)
    assert report.head_hash == chain[-1].hash


def test_sealed_events_link_and_carry_what_was_decided(key: NodeKey, chain: list[Event]) -> None:
    assert chain[0].prev_hash == GENESIS_PREV
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
    ev = chain[2]
    body = ev.body_json()
    assert body["seq"] == 3
    assert body["prev"] == chain[1].hash
    assert body["actor"] == ACTOR.to_json()
    assert body["authority"]["rule"] == "unit.change"
    assert body["marking"] == {"releasable_to": ["JPN", "USA"], "tlp": "AMBER"}
    assert ev.marking == Marking.of("JPN", ["USA"], "AMBER")
    assert hashlib.sha256(ev.body).hexdigest() == ev.hash
    assert verify_signature(key.public_raw, ev.sig, bytes.fromhex(ev.hash))


def test_empty_ledger_verifies() -> None:
    report = verify([], NodeKey.generate().public_raw, workers=1)
    assert report.ok
    assert report.checked == 0


def test_a_tail_verifies_from_a_known_head(key: NodeKey, chain: list[Event]) -> None:
    report = verify(chain[5:], key.public_raw, start_seq=6, prev_hash=chain[4].hash, workers=1)
    assert report.ok
    assert report.checked == len(chain) - 5


def test_seal_all_chains_after_the_head_and_signs_on_a_pool(key: NodeKey) -> None:
    head = _chain(key, 3)
    drafts = [(_draft(i), T0 + timedelta(seconds=i)) for i in range(4, 44)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        more = seal_all(drafts, seq=3, prev_hash=head[-1].hash, node="n1", key=key, pool=pool)
    assert [ev.seq for ev in more] == list(range(4, 44))
    report = verify(head + more, key.public_raw, workers=1)
    assert report.ok, report.problem
    assert report.checked == 43


def _recomputed(ev: Event, body: bytes) -> Event:
    return replace(ev, body=body, hash=hashlib.sha256(body).hexdigest())


OTHER = NodeKey.generate()
TAMPERS: dict[str, Callable[[Event], Event]] = {
    "body": lambda e: replace(e, body=e.body.replace(b'"original"', b'"tampered"')),
    "body with its hash recomputed": lambda e: _recomputed(
        e, e.body.replace(b'"original"', b'"tampered"')
    ),
    "body not json, hash recomputed": lambda e: _recomputed(e, b"not json"),
    "hash": lambda e: replace(e, hash=hashlib.sha256(b"other").hexdigest()),
    "prev_hash": lambda e: replace(e, prev_hash=hashlib.sha256(b"other").hexdigest()),
    "sig bit flipped": lambda e: replace(e, sig=bytes([e.sig[0] ^ 1]) + e.sig[1:]),
    "sig truncated": lambda e: replace(e, sig=e.sig[:63]),
    "sig with a byte appended": lambda e: replace(e, sig=e.sig + b"\0"),
    "sig empty": lambda e: replace(e, sig=b""),
    "sig by another key": lambda e: replace(e, sig=OTHER.sign(bytes.fromhex(e.hash))),
    "seq column": lambda e: replace(e, seq=e.seq + 100),
    "event_id column": lambda e: replace(e, event_id="01j0000000000000000000000x"),
    "kind column": lambda e: replace(e, kind="unit.deleted"),
    "object_type column": lambda e: replace(e, object_type="hq"),
    "object_id column": lambda e: replace(e, object_id="jpn-unit-999"),
    "owner column": lambda e: replace(e, owner="USA"),
    "rel column widened": lambda e: replace(e, rel="AUS,JPN,USA"),
    "tlp column lowered": lambda e: replace(e, tlp="CLEAR"),
    "ts column": lambda e: replace(e, ts=e.ts + timedelta(seconds=1)),
}


@pytest.mark.parametrize("what", list(TAMPERS))
@pytest.mark.parametrize("bad", [1, 6, 12])
def test_tampering_is_reported_at_the_first_bad_seq(
    key: NodeKey, chain: list[Event], what: str, bad: int
) -> None:
    events = list(chain)
    events[bad - 1] = TAMPERS[what](events[bad - 1])
    # chunk_size=4 spreads signature checks over several chunks.
    report = verify(events, key.public_raw, workers=2, chunk_size=4)
    assert not report.ok
    assert report.problem is not None
    assert report.problem.seq == bad, report.problem.reason.en
    assert report.problem.reason.en
    assert report.problem.reason.ja
    assert report.checked == bad - 1


def test_earliest_of_several_tamperings_is_reported(key: NodeKey, chain: list[Event]) -> None:
    events = list(chain)
    events[9] = TAMPERS["rel column widened"](events[9])  # seq 10: a column check
    events[3] = TAMPERS["sig by another key"](events[3])  # seq 4: a signature check
    report = verify(events, key.public_raw, workers=2, chunk_size=4)
    assert report.problem is not None
    assert report.problem.seq == 4
    assert "signature" in report.problem.reason.en


def test_a_missing_event_is_a_sequence_gap(key: NodeKey, chain: list[Event]) -> None:
    events = chain[:4] + chain[5:]  # seq 5 dropped
    report = verify(events, key.public_raw, workers=1)
    assert report.problem is not None
    assert report.problem.seq == 5  # where the chain breaks
    assert report.problem.event_id == chain[5].event_id  # the event found there instead
    assert "expected 5, found 6" in report.problem.reason.en
    assert "5" in report.problem.reason.ja
    assert report.checked == 4


def test_reordered_events_are_reported(key: NodeKey, chain: list[Event]) -> None:
    events = list(chain)
    events[6], events[7] = events[7], events[6]
    report = verify(events, key.public_raw, workers=1)
    assert report.problem is not None
    assert report.problem.seq == 7  # seq 8 was found where seq 7 belongs
    assert report.checked == 6


def test_signatures_from_another_key_do_not_verify(chain: list[Event]) -> None:
    report = verify(chain, OTHER.public_raw, workers=1)
    assert report.problem is not None
    assert report.problem.seq == 1
    assert "signature" in report.problem.reason.en
    assert report.problem.reason.ja


def test_a_chain_re_signed_by_another_key_fails_under_the_node_key(key: NodeKey) -> None:
    forged = _chain(OTHER, 5)
    assert verify(forged, OTHER.public_raw, workers=1).ok
    report = verify(forged, key.public_raw, workers=1)
    assert report.problem is not None
    assert report.problem.seq == 1
