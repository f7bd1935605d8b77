"""Each check a receiver makes on a stream item, case by case (``wire.check_item``).

The items are a real JPN node's stream to USA (the seed's released objects),
signed with its real key; each case spoils one thing and must be refused with
its own code — and only that case: the genuine items pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from alliance.core.keys import NodeKey
from alliance.core.ledger import canonical
from alliance.federation.stream import read_stream
from alliance.federation.wire import (
    Head,
    Item,
    ItemProblem,
    Parsed,
    check_head,
    check_item,
    head_digest,
)
from alliance.node import Node
from tests.conftest import NodeFactory

from .helpers import federate


@pytest.fixture
def jpn_stream(make_node: NodeFactory) -> tuple[Node, list[Item]]:
    jpn, usa = make_node("JPN"), make_node("USA")
    federate([jpn, usa])
    items = read_stream(jpn.db, "USA", 0, 100)
    assert len(items) >= 3
    return jpn, items


def _check(
    items: list[Item], key: NodeKey, n: int, item: Item | None = None
) -> Parsed | ItemProblem:
    """Check item ``n`` (0-based) as the receiver does after items 0..n-1 were applied."""
    prev = items[n - 1].hash if n else "0" * 64
    return check_item(
        item or items[n],
        expected_seq=n + 1,
        prev_hash=prev,
        partner="JPN",
        me="USA",
        partner_key=key.public_raw,
    )


def _resign(item: Item, key: NodeKey, change: Callable[[dict[str, Any]], None]) -> Item:
    """The item with its body changed, hash and signature made anew with ``key``:
    everything a hostile but key-holding sender can do."""
    body = orjson.loads(item.body)
    change(body)
    raw = canonical(body)
    digest = hashlib.sha256(raw).digest()
    return Item(item.seq, digest.hex(), item.prev_hash, key.sign(digest), raw)


def _event(body: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> None:
    event = orjson.loads(body["event"])
    change(event)
    body["event"] = canonical(event).decode()


def test_the_genuine_items_pass(jpn_stream: tuple[Node, list[Item]]) -> None:
    jpn, items = jpn_stream
    for n in range(len(items)):
        parsed = _check(items, jpn.key, n)
        assert isinstance(parsed, Parsed), parsed
        assert parsed.owner == "JPN"


CASES: dict[str, tuple[Callable[[list[Item], NodeKey], tuple[int, Item]], str]] = {
    # A stored item's body changed in transit or at rest: its hash no longer matches.
    "bad_hash": (
        lambda items, key: (
            1,
            Item(
                2,
                items[1].hash,
                items[1].prev_hash,
                items[1].sig,
                items[1].body.replace(b'"v":1', b'"v":1 '),
            ),
        ),
        "bad_hash",
    ),
    # Item 1 sent again where item 2 belongs: a replay.
    "replayed": (lambda items, key: (1, items[0]), "sequence_repeat"),
    "gap": (lambda items, key: (1, items[2]), "sequence_gap"),
    "broken_chain": (
        lambda items, key: (
            1,
            Item(2, items[1].hash, "f" * 64, items[1].sig, items[1].body),
        ),
        "broken_chain",
    ),
    "forged_signature": (
        lambda items, key: (
            1,
            Item(
                2,
                items[1].hash,
                items[1].prev_hash,
                NodeKey.generate().sign(b"x" * 32),
                items[1].body,
            ),
        ),
        "bad_signature",
    ),
    # Correctly signed by JPN, but addressed to AUS: a stream for another partner.
    "misaddressed": (
        lambda items, key: (1, _resign(items[1], key, lambda b: b.update(to="AUS"))),
        "misaddressed",
    ),
    "from_another_nation": (
        lambda items, key: (1, _resign(items[1], key, lambda b: b.update({"from": "AUS"}))),
        "misaddressed",
    ),
    "not_owner": (
        lambda items, key: (
            1,
            _resign(items[1], key, lambda b: b["object"].update(owner="USA")),
        ),
        "not_owner",
    ),
    "carried_event_not_json": (
        lambda items, key: (1, _resign(items[1], key, lambda b: b.update(event="{not json"))),
        "malformed",
    ),
    "carried_event_about_another_object": (
        lambda items, key: (
            1,
            _resign(items[1], key, lambda b: _event(b, lambda e: e["object"].update(id="jpn-x"))),
        ),
        "malformed",
    ),
    "carried_event_without_state": (
        lambda items, key: (
            1,
            _resign(items[1], key, lambda b: _event(b, lambda e: e["data"].pop("state"))),
        ),
        "malformed",
    ),
    "carried_event_not_released": (
        lambda items, key: (
            1,
            _resign(
                items[1],
                key,
                lambda b: _event(b, lambda e: e["marking"].update(releasable_to=["JPN"])),
            ),
        ),
        "not_released",
    ),
    "header_disagrees_with_body": (
        lambda items, key: (1, _resign(items[1], key, lambda b: b.update(seq=7))),
        "malformed",
    ),
    "body_not_an_item": (
        lambda items, key: (
            1,
            _resign(items[1], key, lambda b: b.pop("object")),
        ),
        "malformed",
    ),
}


def test_each_spoiled_item_is_refused_with_its_code(jpn_stream: tuple[Node, list[Item]]) -> None:
    jpn, items = jpn_stream
    for case, (spoil, code) in CASES.items():
        n, item = spoil(items, jpn.key)
        problem = _check(items, jpn.key, n, item)
        assert isinstance(problem, ItemProblem), f"{case} passed the checks"
        assert (problem.code, problem.seq) == (code, item.seq), case
        assert problem.reason.en, case
        assert problem.reason.ja != problem.reason.en, case


def test_a_forged_or_foreign_stream_head_is_not_believed(
    jpn_stream: tuple[Node, list[Item]],
) -> None:
    jpn, items = jpn_stream
    last = items[-1]
    genuine = Head(
        "USA", last.seq, last.hash, jpn.key.sign(head_digest("USA", last.seq, last.hash))
    )
    assert check_head(genuine.to_wire(), me="USA", partner_key=jpn.key.public_raw) == genuine
    forged = Head(
        "USA", 10**6, last.hash, NodeKey.generate().sign(head_digest("USA", 10**6, last.hash))
    )
    assert check_head(forged.to_wire(), me="USA", partner_key=jpn.key.public_raw) is None
    # JPN's genuine head of its stream to AUS says nothing about the stream to USA.
    to_aus = Head("AUS", last.seq, last.hash, jpn.key.sign(head_digest("AUS", last.seq, last.hash)))
    assert check_head(to_aus.to_wire(), me="USA", partner_key=jpn.key.public_raw) is None
    # A head whose seq was raised after signing does not verify.
    raised = {**genuine.to_wire(), "seq": last.seq + 5}
    assert check_head(raised, me="USA", partner_key=jpn.key.public_raw) is None
    for missing in ({}, {"to": "USA"}, {"to": "USA", "seq": "x", "hash": "", "sig": "zz"}):
        assert check_head(missing, me="USA", partner_key=jpn.key.public_raw) is None
