"""Shared by the federation acceptance tests: federate in-process nodes over
real mutual TLS on loopback, wait for streams to drain, read what arrived."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import MetaData, select

from alliance.core.authority import Actor, Role
from alliance.federation import export_bundle
from alliance.node import Node
from alliance.pki import Pki
from alliance.store.ledger import iter_events
from alliance.store.owned import snapshot
from alliance.store.schema import LinkRow

HOSTS = ["127.0.0.1", "localhost"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fed_url(node: Node) -> str:
    return f"https://127.0.0.1:{node.settings.federation_port}"


def bundle_of(node: Node, url: str | None = None) -> bytes:
    """The node's partner bundle (its PKI must exist), as `alliance pki export` writes it."""
    bundle = export_bundle(
        Pki.load(node.settings.home),
        nation=node.nation,
        node_id=node.node_id,
        federation_url=url or fed_url(node),
        ledger_public_key_hex=node.key.public_hex,
    )
    return json.dumps(bundle).encode()


def give_pki(node: Node) -> Pki:
    """A national CA and node certificate for 127.0.0.1, and a free federation port."""
    node.settings.federation_port = free_port()
    return Pki.init(node.settings.home, node.nation, node.node_id, HOSTS)


def federate(nodes: Sequence[Node]) -> None:
    """Every node pins every other node (like demo._federate); nothing is served yet."""
    for node in nodes:
        give_pki(node)
    bundles = {node.nation: bundle_of(node) for node in nodes}
    for node in nodes:
        for other in nodes:
            if other is not node:
                node.federation.add_partner(bundles[other.nation])


def served_pair(make_node: Callable[[str], Node]) -> tuple[Node, Node]:
    """A JPN and a USA node (each on a database of its own on the selected
    backend), federated and both serving, pulling with short long polls."""
    jpn = make_node("JPN")
    usa = make_node("USA")
    federate([jpn, usa])
    for node in (jpn, usa):
        node.serve_federation(wait=0.5)
    return jpn, usa


def link(node: Node, partner: str) -> LinkRow:
    row = node.federation.partners.link(partner)
    assert row is not None, f"{node.nation} has no link to {partner}"
    return row


def wait_until(check: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> float:
    """Poll ``check`` until true; returns the seconds it took."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)
    return time.monotonic() - started


def drained(sender: Node, receiver: Node) -> bool:
    """The receiver applied everything the sender has put in its stream to it."""
    sent = link(sender, receiver.nation).sent_seq
    got = link(receiver, sender.nation)
    return got.received_seq == sent and got.state == "running"


def wait_drained(sender: Node, receivers: Iterable[Node], timeout: float = 15.0) -> None:
    for receiver in receivers:
        wait_until(
            lambda r=receiver: drained(sender, r),  # type: ignore[misc]
            timeout,
            f"{receiver.nation} to catch up with {sender.nation}",
        )


def owned_rows(node: Node, owner: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every row of ``owner`` the node holds, by (type, id): its snapshot."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with node.db.read() as s:
        for object_type, model in node.types.tables().items():
            for row in s.scalars(select(model).where(model.owner == owner)):
                out[(object_type, row.id)] = _json(snapshot(row))
    return out


def _json(state: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(orjson.dumps(state, option=orjson.OPT_SORT_KEYS))
    return loaded


def replica_events(node: Node, partner: str) -> list[dict[str, Any]]:
    """The ``federation.replica.*`` events in the node's own ledger for items from ``partner``."""
    out = []
    for ev in iter_events(node.db):
        if ev.kind.startswith("federation.replica.") and ev.owner == partner:
            body = ev.body_json()
            out.append({"kind": ev.kind, "object_id": ev.object_id, **body["data"]["origin"]})
    return out


def refused_items(node: Node, partner: str) -> list[dict[str, Any]]:
    """The ``federation.item.refused`` events in the node's own ledger for items
    from ``partner``: the data of each (seq, code, object, ...)."""
    out = []
    for ev in iter_events(node.db):
        if ev.kind == "federation.item.refused" and ev.object_id == partner:
            data: dict[str, Any] = ev.body_json()["data"]
            out.append(data)
    return out


def actor(nation: str, hq_id: str, role: Role = Role.STAFF_OFFICER) -> Actor:
    return Actor(f"t-{nation}-{role.value}", f"test {nation} {role.value}", nation, hq_id, role)


def assert_mirrors(sender: Node, receiver: Node) -> int:
    """The receiver's live replicas of the sender's objects are exactly the sender's
    objects released to it, field for field; returns how many."""
    nation = receiver.nation
    released = {
        k: v for k, v in owned_rows(sender, sender.nation).items() if nation in v["rel"].split(",")
    }
    held = owned_rows(receiver, sender.nation)
    live = {k: v for k, v in held.items() if v["origin"] == "replica"}
    missing = sorted(set(released) - set(live))
    extra = sorted(set(live) - set(released))
    assert not missing, f"{nation} lacks {len(missing)} released objects: {missing[:5]}"
    assert not extra, f"{nation} holds {len(extra)} objects not released to it: {extra[:5]}"
    for key, state in released.items():
        theirs = {k: v for k, v in live[key].items() if k != "origin"}
        ours = {k: v for k, v in state.items() if k != "origin"}
        assert theirs == ours, f"{nation}'s replica of {key} differs from the original"
    return len(live)


def assert_one_event_per_item(receiver: Node, sender: Node) -> None:
    """The receiver's ledger records each stream item exactly once, in order, none
    missing: applied (a replica event) or refused (a refusal event)."""
    applied = [e["stream_seq"] for e in replica_events(receiver, sender.nation)]
    refused = [e["seq"] for e in refused_items(receiver, sender.nation)]
    seqs = sorted(applied + refused)
    received = link(receiver, sender.nation).received_seq
    dupes = len(seqs) - len(set(seqs))
    assert dupes == 0, f"{dupes} stream items applied twice"
    assert applied == sorted(applied), "replica events out of stream order"
    assert seqs == list(range(1, received + 1)), "replica events do not match the stream"


def mentions(node: Node, needles: list[str]) -> list[str]:
    """Where in the node's whole database any of ``needles`` occurs (table: needle)."""
    found: list[str] = []
    meta = MetaData()
    with node.db.engine.connect() as conn:
        meta.reflect(conn)
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                blob = " ".join(
                    bytes(v).decode("utf-8", "replace")
                    if isinstance(v, bytes | memoryview)
                    else str(v)
                    for v in row
                )
                found += [f"{table.name}: {n}" for n in needles if n in blob]
    return found
