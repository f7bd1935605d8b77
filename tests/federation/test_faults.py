"""Faults: partners stopped and restarted mid-stream, and a hostile sender.

Restarts: the JPN node writes a steady stream of objects (released to USA,
national-only, withdrawn, re-released) while the USA node's federation and
the JPN node's federation are stopped and started again and again. A stopped
server serves nothing; at the end the USA node holds every released object
exactly once and its ledger has one replica event per stream item.

Hostile sender: a fake JPN federation endpoint, on the real mutual TLS with
the real JPN node key, serves a genuine stream with one item spoiled — a
forged signature, a broken chain, a gap, a change to an object JPN does not
own, an event not released to USA. The USA node quarantines exactly that
item with the right code, applies nothing of it and nothing after it, stops
the link and tells the operator (API and CLI); after ``resume`` with the
fixed stream it carries on to the end.
"""

from __future__ import annotations

import hashlib
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from alliance.access import UserIn
from alliance.cli import app
from alliance.core.authority import Role
from alliance.core.keys import NodeKey
from alliance.core.models import MarkingIn
from alliance.federation.client import Puller
from alliance.federation.stream import read_stream
from alliance.federation.wire import Item, event_body
from alliance.node import Node
from alliance.org.models import UnitIn, UnitPatch
from alliance.store.ledger import events_of, iter_events
from alliance.store.projection import check_state
from alliance.store.schema import LinkRow
from tests.conftest import NodeFactory
from tests.disclosure.helpers import set_release

from .fake_partner import FakePartner, rebody, signed
from .helpers import (
    actor,
    assert_mirrors,
    assert_one_event_per_item,
    bundle_of,
    give_pki,
    link,
    owned_rows,
    replica_events,
    served_pair,
    wait_drained,
    wait_until,
)

pytestmark = pytest.mark.timeout(120)

STAFF = actor("JPN", "jpn-jjoc", Role.STAFF_OFFICER)
ROUNDS = 10  # each stops and restarts both the receiver and the sender
ServeFn = Callable[[Node], httpx.Client]


def _unit(node: Node, name: str, rel: list[str]) -> str:
    return node.org.create_unit(
        STAFF,
        UnitIn(
            hq_id="jpn-gcc",
            name_en=name,
            name_ja=f"{name}（試験）",
            sidc="SFGPUCI----H---",
            domain="land",
            marking=MarkingIn(releasable_to=rel),
        ),
    ).id


def _ledger_ok(node: Node) -> None:
    report = node.verify_ledger()
    assert report.ok, report.problem
    drift = check_state(node.db, node.types)
    assert drift.ok, drift.drifts[:5]


# -- restarts ----------------------------------------------------------------------


@dataclass
class Traffic:
    """JPN's writes in a thread of their own: new units, withdrawals, re-releases."""

    node: Node
    stop: threading.Event = field(default_factory=threading.Event)
    created: list[str] = field(default_factory=list)
    writes: int = 0
    error: BaseException | None = None

    def run(self) -> None:
        rng = random.Random(20240728)  # a test's fixed choices
        try:
            while not self.stop.is_set():
                n = self.writes
                if n % 10 == 9 and self.created:
                    # Withdraw one, re-release another: the stream carries both.
                    rel = [] if n % 20 == 9 else ["USA"]
                    target = rng.choice(self.created)
                    set_release(
                        self.node,
                        STAFF,
                        "unit",
                        target,
                        rel,
                        lambda ident, kept: self.node.org.update_unit(
                            STAFF, ident, UnitPatch(marking=MarkingIn(releasable_to=kept))
                        ),
                    )
                else:
                    rel = [] if n % 4 == 3 else ["USA"]
                    self.created.append(_unit(self.node, f"Steady {n}", rel))
                self.writes += 1
                time.sleep(0.004)
        except BaseException as exc:  # reported by the test
            self.error = exc


def _settles(node: Node, partner: str, quiet: float = 0.4, timeout: float = 8.0) -> bool:
    """What was in flight lands, then nothing more arrives for ``quiet`` seconds."""
    started = since = time.monotonic()
    last = link(node, partner).received_seq
    while time.monotonic() - started < timeout:
        time.sleep(0.05)
        now, current = time.monotonic(), link(node, partner).received_seq
        if current != last:
            last, since = current, now
        elif now - since >= quiet:
            return True
    return False


def test_restarts_lose_nothing_and_duplicate_nothing(make_node: NodeFactory) -> None:
    started = time.monotonic()
    jpn, usa = served_pair(make_node)
    traffic = Traffic(jpn)
    writer = threading.Thread(target=traffic.run, name="jpn-traffic", daemon=True)
    writer.start()
    try:
        for _round in range(ROUNDS):
            # The receiver goes away mid-stream and comes back.
            time.sleep(0.15)
            usa.federation.stop()
            time.sleep(0.15)
            usa.serve_federation(wait=0.5)
            # The sender goes away: while it is down, nothing more arrives.
            time.sleep(0.15)
            jpn.federation.stop()
            assert _settles(usa, "JPN"), "a stopped server still serves"
            assert link(jpn, "USA").sent_seq > link(usa, "JPN").received_seq, "writes stalled"
            jpn.serve_federation(wait=0.5)
    finally:
        traffic.stop.set()
        writer.join(10)
    assert traffic.error is None, traffic.error
    assert traffic.writes > 30, traffic.writes

    wait_drained(jpn, [usa], timeout=30)
    sent = link(jpn, "USA").sent_seq
    wait_until(lambda: link(jpn, "USA").acked_seq == sent, 10, "the acknowledgement")
    assert_one_event_per_item(usa, jpn)
    mirrored = assert_mirrors(jpn, usa)
    # Every unit released at the end is there exactly once; every other one is not live.
    released = {
        k[1] for k, v in owned_rows(jpn, "JPN").items() if k[0] == "unit" and "USA" in v["rel"]
    }
    live = {
        k[1]
        for k, v in owned_rows(usa, "JPN").items()
        if k[0] == "unit" and v["origin"] == "replica"
    }
    assert set(traffic.created) & released == set(traffic.created) & live
    applied = [e["object_id"] for e in replica_events(usa, "JPN")]
    assert len(applied) == sent
    status = {s.partner: s for s in usa.federation.partners.status()}["JPN"]
    assert (status.state, status.quarantined, status.inbound_lag) == ("running", 0, 0)
    for node in (jpn, usa):
        _ledger_ok(node)
    elapsed = time.monotonic() - started
    print(f"{traffic.writes} writes, {sent} stream items, {mirrored} replicas, {elapsed:.1f} s")


# -- a hostile sender ----------------------------------------------------------------


@dataclass
class Scene:
    jpn: Node
    usa: Node
    genuine: list[Item]
    bad: int  # index in ``genuine`` of the item the hostile stream spoils
    secret_unit: str  # JPN-only
    api: httpx.Client
    admin: dict[str, str]


def _forged_signature(scene: Scene) -> tuple[list[Item], int, str]:
    items = list(scene.genuine)
    victim = items[scene.bad]
    impostor = NodeKey.generate()
    items[scene.bad] = Item(
        victim.seq,
        victim.hash,
        victim.prev_hash,
        impostor.sign(bytes.fromhex(victim.hash)),
        victim.body,
    )
    return items, victim.seq, "bad_signature"


def _broken_chain(scene: Scene) -> tuple[list[Item], int, str]:
    items = list(scene.genuine)
    victim = items[scene.bad]
    # Signed by JPN, but chained onto a history the receiver never saw (a fork).
    items[scene.bad] = rebody(victim, scene.jpn.key, prev=hashlib.sha256(b"fork").hexdigest())
    return items, victim.seq, "broken_chain"


def _gap(scene: Scene) -> tuple[list[Item], int, str]:
    items = list(scene.genuine)
    del items[scene.bad]
    return items, items[scene.bad].seq, "sequence_gap"


def _spliced(scene: Scene, event_of: tuple[str, str]) -> Item:
    """A JPN-signed item at the victim's place carrying another event of JPN's ledger."""
    victim = scene.genuine[scene.bad]
    ev = events_of(scene.jpn.db, *event_of)[-1]
    body = event_body(
        ev,
        origin="JPN",
        node=scene.jpn.node_id,
        partner="USA",
        seq=victim.seq,
        prev=victim.prev_hash,
    )
    return signed(body, scene.jpn.key)


def _not_owner(scene: Scene) -> tuple[list[Item], int, str]:
    items = list(scene.genuine)
    # JPN's ledger holds the USA HQ as seed reference data; JPN may not change it.
    items[scene.bad] = _spliced(scene, ("hq", "usa-jfhq"))
    return items, items[scene.bad].seq, "not_owner"


def _not_released(scene: Scene) -> tuple[list[Item], int, str]:
    items = list(scene.genuine)
    items[scene.bad] = _spliced(scene, ("unit", scene.secret_unit))
    return items, items[scene.bad].seq, "not_released"


CASES = {
    "forged_signature": _forged_signature,
    "broken_chain": _broken_chain,
    "gap": _gap,
    "not_owner": _not_owner,
    "not_released": _not_released,
}


def _puller_looks(
    node: Node, partner: str, fake: FakePartner, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str | None, int]]:
    """From now on, each time the node's stream puller for ``partner`` reads the
    link (once a round; once a second while the link is not running): the state
    it read, and how many pulls the fake partner had been sent by then."""
    looks: list[tuple[str | None, int]] = []
    desk = node.federation.partners
    read = desk.link
    thread = f"{Puller.what}-{partner}"

    def link_looked_at(name: str) -> LinkRow | None:
        row = read(name)
        if threading.current_thread().name == thread:
            looks.append((row.state if row is not None else None, fake.requests))
        return row

    monkeypatch.setattr(desk, "link", link_looked_at)
    return looks


def _cli_status(node: Node) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["federation", "status", "--home", str(node.settings.home)])
    return result.exit_code, result.output


@pytest.fixture
def hostile(make_node: NodeFactory, serve: ServeFn) -> Iterator[tuple[Scene, FakePartner]]:
    usa = make_node("USA")
    jpn = make_node("JPN")
    jpn_pki = give_pki(jpn)
    usa_pki = give_pki(usa)
    with FakePartner(jpn_pki, usa_pki.ca_pem, jpn.key, "USA") as fake:
        usa.federation.add_partner(bundle_of(jpn, fake.url))
        jpn.federation.add_partner(bundle_of(usa))
        for i in range(4):
            _unit(jpn, f"Released {i}", ["USA"])
        secret = _unit(jpn, "JPN-ONLY secret unit", [])
        _unit(jpn, "Released last", ["USA"])
        genuine = read_stream(jpn.db, "USA", 0, 10_000)
        assert [i.seq for i in genuine] == list(range(1, len(genuine) + 1))
        _user, token = usa.users.add(
            UserIn(name="USA node admin", nation="USA", hq_id="usa-jfhq", role=Role.ADMIN)
        )
        scene = Scene(
            jpn=jpn,
            usa=usa,
            genuine=genuine,
            bad=len(genuine) - 3,
            secret_unit=secret,
            api=serve(usa),
            admin={"Authorization": f"Bearer {token}"},
        )
        yield scene, fake
        # Our pullers stop before the fake partner does: a connection it resets
        # mid-handshake would leave an unclosed socket behind (CPython gh-113280).
        usa.federation.stop()


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_item_is_quarantined_and_the_link_stops(
    hostile: tuple[Scene, FakePartner], case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene, fake = hostile
    jpn, usa, genuine = scene.jpn, scene.usa, scene.genuine
    hostile_items, bad_seq, code = CASES[case](scene)
    fake.items = hostile_items
    looks = _puller_looks(usa, "JPN", fake, monkeypatch)
    usa.serve_federation(wait=0.5)

    wait_until(lambda: link(usa, "JPN").state == "stopped", 15, "the link to stop")
    state = link(usa, "JPN")
    applied = scene.bad  # the items before the spoiled one
    assert state.received_seq == applied
    assert state.received_hash == genuine[applied - 1].hash
    assert state.last_error.startswith(f"{code}:"), state.last_error

    # Exactly that item is quarantined, with the right code.
    entries = usa.federation.partners.quarantine("JPN")
    assert [(q.seq, q.code) for q in entries] == [(bad_seq, code)]
    assert entries[0].reason["en"]
    assert entries[0].reason["ja"]

    # Nothing of it, and nothing after it, was applied.
    assert_one_event_per_item(usa, jpn)
    held = owned_rows(usa, "JPN")
    for item in genuine[applied:]:
        obj = orjson.loads(item.body)["object"]
        if obj["type"] == "unit":
            assert ("unit", obj["id"]) not in held, f"item {item.seq} was applied"
    assert ("unit", scene.secret_unit) not in held
    jfhq = owned_rows(usa, "USA")[("hq", "usa-jfhq")]
    assert (jfhq["origin"], jfhq["owner"]) == ("seed", "USA")
    secret_events = [ev for ev in iter_events(usa.db) if scene.secret_unit in ev.body.decode()]
    assert not secret_events, "the unreleased object reached the receiver's ledger"
    quarantined = [ev for ev in iter_events(usa.db) if ev.kind == "federation.item.quarantined"]
    assert [ev.body_json()["data"]["code"] for ev in quarantined] == [code]

    # Pulling stopped: the puller finds the link stopped and looks again a second
    # later, having sent nothing. Two looks bound a whole round of its loop, so a
    # pull made in that round is seen however late it comes, not only within a
    # window.
    def stopped() -> list[int]:
        return [pulls for state, pulls in list(looks) if state == "stopped"]

    wait_until(lambda: len(stopped()) >= 2, 10, "the puller to look at the stopped link twice")
    assert len(set(stopped())) == 1, f"a stopped link kept pulling: {stopped()}"

    # The operator is told: API and CLI.
    status = scene.api.get("/federation/status", headers=scene.admin)
    assert status.status_code == 200, status.text
    jpn_link = {s["partner"]: s for s in status.json()}["JPN"]
    assert (jpn_link["state"], jpn_link["quarantined"]) == ("stopped", 1)
    assert jpn_link["received_seq"] == applied
    listed = scene.api.get("/federation/quarantine", headers=scene.admin)
    assert [(q["seq"], q["code"]) for q in listed.json()] == [(bad_seq, code)]
    exit_code, output = _cli_status(usa)
    assert exit_code == 1, output
    assert "stopped" in output

    # The sender fixes its stream; the operator resumes; it carries on to the end.
    fake.items = list(genuine)
    resumed = scene.api.post(
        "/federation/JPN/resume", json={"note": f"{case}: JPN re-sent"}, headers=scene.admin
    )
    assert resumed.status_code == 200, resumed.text
    wait_until(
        lambda: link(usa, "JPN").received_seq == len(genuine), 15, "the fixed stream to arrive"
    )
    assert link(usa, "JPN").state == "running"
    assert_one_event_per_item(usa, jpn)
    assert_mirrors(jpn, usa)
    assert ("unit", scene.secret_unit) not in owned_rows(usa, "JPN")
    assert usa.federation.partners.quarantine("JPN") == []
    assert [q.resolution for q in usa.federation.partners.quarantine("JPN", open_only=False)] == [
        f"{case}: JPN re-sent"
    ]
    exit_code, output = _cli_status(usa)
    assert exit_code == 0, output
    _ledger_ok(usa)


def test_both_directions_drain_and_mirror(make_node: NodeFactory) -> None:
    """The plain happy path the fault tests build on: both directions, both acked."""
    jpn, usa = served_pair(make_node)
    _unit(jpn, "Hello", ["USA"])
    wait_drained(jpn, [usa])
    wait_drained(usa, [jpn])
    assert_mirrors(jpn, usa)
    assert_mirrors(usa, jpn)


def test_a_silent_connection_does_not_block_the_partners(make_node: NodeFactory) -> None:
    """Anyone who can reach the federation port can open a TCP connection and say
    nothing (no certificate needed for that). The partners' pulls go on."""
    jpn, usa = served_pair(make_node)
    wait_drained(jpn, [usa])
    assert jpn.federation.server is not None
    jpn.federation.server.handshake_timeout = 2.0  # 10 s by default
    with socket.create_connection(("127.0.0.1", jpn.settings.federation_port)) as silent:
        time.sleep(0.3)  # accepted, waiting for a TLS hello that never comes
        usa.federation.stop()  # the partner reconnects while the silent one hangs on
        usa.serve_federation(wait=0.5)
        _unit(jpn, "Through", ["USA"])
        wait_drained(jpn, [usa], timeout=8)
        silent.settimeout(5)
        assert silent.recv(1) == b"", "the silent connection is dropped in the end"
