"""The receiver applies pages strictly in order: a page that does not follow
what is durably applied is refused whole, so a failed page can never be
skipped by the one fetched after it. Within a page, an item that would write
a row another nation owns is refused alone, and the rest of the page goes on."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from alliance.federation.receiver import OutOfOrder, apply_items
from alliance.federation.stream import read_stream
from alliance.federation.wire import Item, Parsed, check_item
from alliance.node import Node
from alliance.org.models import HqIn, HqKind
from alliance.org.tables import HqRow, NationRow
from alliance.store.ledger import events_of, iter_events
from alliance.store.owned import snapshot
from alliance.store.projection import check_state
from alliance.store.schema import LedgerRow, OwnedRow, QuarantineRow
from tests.conftest import NodeFactory

from .fake_partner import Chain
from .helpers import (
    actor,
    assert_one_event_per_item,
    federate,
    link,
    refused_items,
    replica_events,
)


def test_a_page_that_skips_items_is_refused_and_nothing_of_it_applied(
    make_node: NodeFactory,
) -> None:
    jpn, usa = make_node("JPN"), make_node("USA")
    federate([jpn, usa])
    items = read_stream(jpn.db, "USA", 0, 100)
    assert len(items) >= 3  # the seed's JPN objects released to USA
    parsed: list[Parsed] = []
    prev = link(usa, "JPN").received_hash
    for expected, item in enumerate(items, start=1):
        result = check_item(
            item,
            expected_seq=expected,
            prev_hash=prev,
            partner="JPN",
            me="USA",
            partner_key=jpn.key.public_raw,
        )
        assert isinstance(result, Parsed), result
        parsed.append(result)
        prev = item.hash

    def events() -> int:
        with usa.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(LedgerRow)) or 0)

    before = events()
    with pytest.raises(OutOfOrder, match=r"^JPN item 2 after 0$"):
        usa.writer.run(
            lambda tx: apply_items(
                tx, "JPN", "fp", parsed[1:], None, me="USA", types=usa.federation.types
            )
        )
    assert link(usa, "JPN").received_seq == 0
    assert events() == before
    usa.writer.run(
        lambda tx: apply_items(tx, "JPN", "fp", parsed, None, me="USA", types=usa.federation.types)
    )
    assert link(usa, "JPN").received_seq == len(parsed)
    assert events() == before + len(parsed)


def _parse(node: Node, partner: str, items: list[Item], key: bytes) -> list[Parsed]:
    """Check items as the puller does, from where the node's link stands."""
    state = link(node, partner)
    parsed: list[Parsed] = []
    expected, prev = state.received_seq + 1, state.received_hash
    for item in items:
        result = check_item(
            item,
            expected_seq=expected,
            prev_hash=prev,
            partner=partner,
            me=node.nation,
            partner_key=key,
        )
        assert isinstance(result, Parsed), result
        parsed.append(result)
        expected, prev = expected + 1, item.hash
    return parsed


def _row(node: Node, model: type[OwnedRow], ident: str) -> dict[str, Any] | None:
    with node.db.read() as s:
        row = s.get(model, ident)
        return None if row is None else snapshot(row)


def test_items_that_would_write_another_nations_row_are_refused_and_the_rest_applied(
    make_node: NodeFactory,
) -> None:
    """One page from a hostile but correctly signing JPN: every item that would
    write a row JPN does not own here is refused and quarantined in the page's
    transaction; JPN's own objects (its seed rows, its new objects, their
    withdrawal) are applied; the link moves past all of it and keeps running."""
    jpn, usa = make_node("JPN"), make_node("USA")
    federate([jpn, usa])
    ours = usa.org.create_hq(
        actor("USA", "usa-jfhq"),
        HqIn(
            id="usa-cell",
            nation="USA",
            parent_id="usa-jfhq",
            kind=HqKind.COMPONENT,
            name_en="USA Cell",
            name_ja="米班",
            short_en="CELL",
            short_ja="班",
        ),
    )
    chain = Chain(jpn.key, origin="JPN", node=jpn.node_id, to="USA")
    for item in read_stream(jpn.db, "USA", 0, 10_000):
        chain.add(item)
    genuine = len(chain.items)
    now = jpn.clock()
    hq = events_of(jpn.db, "hq", "jpn-gcc")[-1].body_json()["data"]["state"]
    jjoc = events_of(jpn.db, "hq", "jpn-jjoc")[-1].body_json()["data"]["state"]
    japan = events_of(jpn.db, "nation", "JPN")[-1].body_json()["data"]["state"]
    refused = {
        chain.forge("hq", "usa-cell", {**hq, "name_en": "Taken"}, now=now).seq: "id_collision",
        chain.forge("hq", "usa-cell", {}, kind="withdraw", now=now).seq: "id_collision",
        chain.forge("hq", "usa-new", hq, now=now).seq: "id_namespace",
        chain.forge("nation", "USA", {**japan, "name_en": "Taken"}, now=now).seq: "id_collision",
        chain.forge("nation", "KOR", {**japan, "name_en": "Korea"}, now=now).seq: "id_namespace",
    }
    chain.forge("hq", "jpn-jjoc", {**jjoc, "name_en": "JJOC (renamed)"}, now=now)
    chain.forge("hq", "jpn-new", hq, now=now)
    chain.forge("hq", "jpn-new", {}, kind="withdraw", now=now)
    chain.forge("hq", "usa-cell", {**hq, "name_en": "Taken again"}, now=now)
    refused[chain.items[-1].seq] = "id_collision"
    parsed = _parse(usa, "JPN", chain.items, jpn.key.public_raw)

    applied = usa.writer.run(
        lambda tx: apply_items(tx, "JPN", "fp", parsed, None, me="USA", types=usa.federation.types)
    )
    assert applied == len(parsed)

    state = link(usa, "JPN")
    assert (state.received_seq, state.received_hash) == (len(parsed), parsed[-1].item.hash)
    assert state.state == "running"
    assert state.last_error.startswith("id_collision:"), state.last_error
    entries = usa.federation.partners.quarantine("JPN")
    assert [(q.seq, q.code) for q in entries] == sorted(refused.items())
    assert all(q.reason["en"] and q.reason["ja"] for q in entries)
    (status,) = usa.federation.partners.status()
    assert (status.state, status.quarantined) == ("running", len(refused))
    kept = {q.seq for q in entries}
    with usa.db.read() as s:
        raw = {q.seq: q.item for q in s.scalars(select(QuarantineRow))}
    for seq in kept:  # the partner's signed item, as it was sent
        assert Item.from_wire(orjson.loads(raw[seq])) == chain.items[seq - 1]

    # Ours is untouched: owner, origin, marking, version, name.
    mine = _row(usa, HqRow, "usa-cell")
    assert mine is not None
    assert (mine["owner"], mine["origin"], mine["rel"], mine["version"], mine["name_en"]) == (
        "USA",
        "local",
        "USA",
        ours.version,
        "USA Cell",
    )
    nation = _row(usa, NationRow, "USA")
    assert nation is not None
    assert (nation["owner"], nation["origin"], nation["version"]) == ("USA", "seed", 1)
    assert _row(usa, HqRow, "usa-new") is None
    assert _row(usa, NationRow, "KOR") is None
    # JPN's own objects are JPN's to change: its seed HQ, a new HQ and its withdrawal.
    renamed = _row(usa, HqRow, "jpn-jjoc")
    assert renamed is not None
    assert (renamed["owner"], renamed["origin"], renamed["name_en"]) == (
        "JPN",
        "replica",
        "JJOC (renamed)",
    )
    new = _row(usa, HqRow, "jpn-new")
    assert new is not None
    assert (new["owner"], new["origin"], new["rel"]) == ("JPN", "withdrawn", "")

    # Our ledger: each item once, applied or refused; the refusals national-only.
    assert_one_event_per_item(usa, jpn)
    refusals = refused_items(usa, "JPN")
    assert {r["seq"]: r["code"] for r in refusals} == refused
    assert {r["object"]["id"] for r in refusals} == {"usa-cell", "usa-new", "USA", "KOR"}
    for ev in iter_events(usa.db):
        if ev.kind == "federation.item.refused":
            assert (ev.owner, ev.rel, ev.object_type, ev.object_id) == (
                "USA",
                "USA",
                "partner",
                "JPN",
            )
    assert not [e for e in replica_events(usa, "JPN") if e["stream_seq"] in refused]
    assert len(replica_events(usa, "JPN")) == len(parsed) - len(refused)
    assert len(parsed) - len(refused) == genuine + 3  # JJOC renamed, jpn-new made and withdrawn
    report = check_state(usa.db, usa.types)
    assert report.ok, report.drifts[:5]
    assert usa.verify_ledger().ok

    # The operator closes the refusals; nothing else changes.
    resumed = usa.federation.partners.resume("JPN", "JPN told")
    assert (resumed.state, resumed.quarantined, resumed.last_error) == ("running", 0, "")
    assert link(usa, "JPN").received_seq == len(parsed)
