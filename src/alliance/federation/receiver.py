"""Applying what a partner released to us: read-only replicas, and our own record of them.

Each accepted item becomes (or updates, or withdraws) a replica row owned by
the partner (``origin = "replica"``), and an event in *our* ledger that
carries the partner's event, its signature and where it came from. Our
ledger therefore shows the whole thread, while each side writes only its own
part: a replica is never written by a local desk (its owner is not hosted
here) and never shipped onwards (streams carry only our own nation's objects).

The receiver never writes a row another nation owns. Before an item is
applied, the row it would write is looked at (it is already loaded with the
page): a row that exists here and is not the sender's own (a replica, a
withdrawn replica, or the sender's objects loaded from the seed) is another
nation's object — ours, or a third nation's — and an id in another nation's
namespace (:func:`alliance.core.ids.namespace_of`) is never the sender's to
use. Such an item is **refused**: nothing of it is applied, it is kept in
the quarantine table with the code ``id_collision`` or ``id_namespace``, and
our ledger records ``federation.item.refused`` (national-only), all in the
page's transaction. The link keeps running and ``received_seq`` moves past
the item, so the stream stays gap-free and everything else the partner
released still arrives; the operator sees the refusal in ``federation
status`` and ``federation quarantine`` and closes it with ``resume``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, inspect, select
from sqlalchemy.orm import Session

from alliance.core.authority import Grant
from alliance.core.dtg import iso
from alliance.core.errors import named
from alliance.core.i18n import Text
from alliance.core.ids import namespace_of
from alliance.core.ledger import EventDraft
from alliance.core.markings import Marking
from alliance.store.release_index import index_new, reindex
from alliance.store.schema import HeldRow, LinkRow, OwnedRow, QuarantineRow, UTCDateTime
from alliance.store.writer import Tx

from .rows import insert_many, select_by_id, update_many
from .wire import Head, ItemProblem, Parsed

# The object types this node understands: name -> table (see Federation.types).
Types = Mapping[str, type[OwnedRow]]

# What a row the sender may write holds in ``origin``: its replicas (live or
# withdrawn), and its own objects as our copy of the seed has them.
_SENDERS_ORIGINS = frozenset({"replica", "withdrawn", "seed"})


@cache
def _columns(model: type[OwnedRow]) -> tuple[tuple[tuple[str, bool], ...], dict[str, Any]]:
    """A replica table's column keys (and whether each holds a time), and what a
    new row holds where its state says nothing."""
    keys: list[tuple[str, bool]] = []
    defaults: dict[str, Any] = {}
    for attr in inspect(model).column_attrs:
        column = attr.columns[0]
        assert column.key == attr.key, "replica tables map attributes to same-named columns"
        keys.append((attr.key, isinstance(column.type, UTCDateTime)))
        default = column.default
        defaults[attr.key] = default.arg if default is not None and default.is_scalar else None
    return tuple(keys), defaults


class _Replicas:
    """The replica rows one page of items touches, as column values.

    Rows are read with one ``SELECT ... IN`` per type (and chunk of ids) and
    written with one ``INSERT`` and one ``UPDATE`` per table, each an
    executemany on the driver (:mod:`.rows`): per item there is no query, no
    flush and no ORM object.
    """

    def __init__(self, s: Session, parsed: Sequence[Parsed], types: Types) -> None:
        self.session = s
        self.types = types
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.changed: dict[tuple[str, str], None] = {}  # in order of first change
        wanted: dict[str, set[str]] = {}
        for p in parsed:
            wanted.setdefault(p.object_type, set()).add(p.object_id)
        conn = s.connection()
        for object_type, ids in wanted.items():
            for row in select_by_id(conn, _table(types[object_type]), sorted(ids)):
                self.rows[(object_type, row["id"])] = row
        self.existing = set(self.rows)
        # What the release index holds for each existing row: only a row whose
        # owner or release changed needs its entries rewritten.
        self.indexed = {key: (row["owner"], row["rel"]) for key, row in self.rows.items()}

    def refusal(self, p: Parsed, sender: str) -> ItemProblem | None:
        """Why the item must not be applied here, or None: the row it would write
        is another nation's, or its id is in another nation's namespace.

        Decided from the rows loaded with the page (no query per item); a row an
        earlier item of the page created is the sender's replica, as it should be.
        """
        row = self.rows.get((p.object_type, p.object_id))
        if row is not None and (row["owner"] != sender or row["origin"] not in _SENDERS_ORIGINS):
            return _collision(p, sender, row["owner"], row["origin"])
        ns = namespace_of(p.object_id)
        if ns is not None and ns != sender:
            return _outside(p, sender, ns)
        if p.object_type == "nation" and p.object_id != sender:  # named by its code
            return _outside(p, sender, p.object_id)
        return None

    def apply_event(self, p: Parsed) -> dict[str, Any]:
        """Write the partner's state into the replica row; returns the replica's
        snapshot for our event.

        The row gets the partner's value of every column its state has (times
        parsed, as :func:`alliance.store.owned.restore` does) and keeps the
        others. The snapshot takes the partner's value where it has the column
        (already in snapshot form) rather than converting the row's back.
        """
        assert p.event is not None
        theirs = p.event["data"]["state"]
        columns, defaults = _columns(self.types[p.object_type])
        key = (p.object_type, p.object_id)
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = dict(defaults)
        state: dict[str, Any] = {}
        for name, is_time in columns:
            if name in theirs:
                value = state[name] = theirs[name]
                row[name] = (
                    datetime.fromisoformat(value) if is_time and isinstance(value, str) else value
                )
            else:
                value = row[name]
                state[name] = iso(value) if isinstance(value, datetime) else value
        row.update(id=p.object_id, owner=p.owner, origin="replica")
        state.update(id=p.object_id, owner=p.owner, origin="replica")
        self.changed[key] = None
        return state

    def withdraw(self, p: Parsed) -> dict[str, Any] | None:
        key = (p.object_type, p.object_id)
        row = self.rows.get(key)
        if row is None:
            return None
        # Kept, but released to nobody: other rows may still point at it.
        row.update(rel="", tlp=None, origin="withdrawn")
        self.changed[key] = None
        return row

    def snapshot(self, object_type: str, row: dict[str, Any]) -> dict[str, Any]:
        """What :func:`alliance.store.owned.snapshot` gives for the row written."""
        state: dict[str, Any] = {}
        for key, _is_time in _columns(self.types[object_type])[0]:
            value = row[key]
            state[key] = iso(value) if isinstance(value, datetime) else value
        return state

    def write(self) -> None:
        s = self.session
        conn = s.connection()
        by_type: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        for key in self.changed:
            new, old = by_type.setdefault(key[0], ([], []))
            (old if key in self.existing else new).append(self.rows[key])
        for object_type, (new, old) in by_type.items():
            table = _table(self.types[object_type])
            insert_many(conn, table, new)
            update_many(conn, table, old)
            # The release index, in step. A new row has no entries yet (an entry
            # left by a row deleted behind the ledger's back fails the page loudly;
            # the drift check names it and release_index.rebuild repairs it).
            index_new(conn, table.name, new)
            indexed = self.indexed
            reindex(
                conn,
                table.name,
                [r for r in old if indexed[(object_type, r["id"])] != (r["owner"], r["rel"])],
            )
        # A row another job of this batch loaded must not keep the old values.
        written = {(self.types[object_type], object_id) for object_type, object_id in self.changed}
        for obj in list(s.identity_map.values()):
            if isinstance(obj, OwnedRow) and (type(obj), obj.id) in written:
                s.expire(obj)


def _collision(p: Parsed, sender: str, owner: str, origin: str) -> ItemProblem:
    name = named(p.object_type, p.object_id)
    what, what_ja = name.en, name.ja
    return ItemProblem(
        p.item.seq,
        "id_collision",
        Text(
            f"{sender} sent {p.kind} item {p.item.seq} for {what} as its own, but {what} here "
            f"is {owner}'s ({origin}): refused, nothing of it applied; the link kept running",
            f"{sender}が{what_ja}を自国の対象として項目{p.item.seq}（{p.kind}）で送信しましたが、"
            f"このノードの{what_ja}は{owner}の対象（{origin}）です。拒否し、何も適用していません。"
            "連携は継続しています",
        ),
    )


def _outside(p: Parsed, sender: str, nation: str) -> ItemProblem:
    name = named(p.object_type, p.object_id)
    what, what_ja = name.en, name.ja
    return ItemProblem(
        p.item.seq,
        "id_namespace",
        Text(
            f"{sender} sent {p.kind} item {p.item.seq} for {what}, an id in {nation}'s "
            "namespace: a node names only its own nation's objects; refused, nothing of it "
            "applied; the link kept running",
            f"{sender}が{nation}の名前空間のID {what_ja} の項目{p.item.seq}（{p.kind}）を送信しました。"
            "ノードが名付けられるのは自国の対象のみです。拒否し、何も適用していません。"
            "連携は継続しています",
        ),
    )


class OutOfOrder(RuntimeError):
    """A page does not follow what is durably applied."""


def _table(model: type[OwnedRow]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _marking(seen: dict[Any, Marking], carried: dict[str, Any]) -> Marking:
    """``Marking.from_json`` of the carried event's marking; the few distinct
    markings of a page are built once."""
    try:
        key = (carried.get("tlp"), *carried.get("releasable_to", ()))
        found = seen.get(key)
    except TypeError:  # not hashable: let from_json say what is wrong with it
        return Marking.from_json(carried)
    if found is None:
        found = seen[key] = Marking.from_json(carried)
    return found


def apply_items(
    tx: Tx,
    partner: str,
    key_fingerprint: str,
    parsed: Sequence[Parsed],
    head: Head | None,
    *,
    me: str,
    types: Types,
) -> int:
    """A writer job body: apply checked items in order and advance the link.

    An item that would write a row another nation owns is refused (see the
    module's docstring) and the rest go on; an item of a type not in ``types``
    (or about an object an earlier held item is about) is held for later
    (:class:`_Held`). Returns how many items the link moved past.
    """
    s = tx.session
    link = s.get(LinkRow, partner)
    if link is None:
        raise RuntimeError(f"no federation link for {partner}")
    if parsed and parsed[0].item.seq != link.received_seq + 1:
        # Pages are applied strictly in order: a page whose predecessor was not
        # applied (it failed) must not be applied either, or the stream would gap.
        raise OutOfOrder(f"{partner} item {parsed[0].item.seq} after {link.received_seq}")
    held = _Held(s, partner, types) if parsed else None
    apply = _Apply(tx, link, partner, me, key_fingerprint, types, parsed)
    for p in parsed:
        if held is not None and held.holds(p):
            held.keep(tx, me, p)
            continue
        apply.one(p)
    apply.replicas.write()
    if parsed:
        last = parsed[-1].item
        link.received_seq = last.seq
        link.received_hash = last.hash
        link.last_received_at = tx.now
    if head is not None and head.seq >= link.partner_head_seq:
        link.partner_head_seq = head.seq
        link.partner_head_sig = head.sig.hex()
    return len(parsed)


class _Apply:
    """Applies checked items of one partner, in order, within one job."""

    def __init__(
        self,
        tx: Tx,
        link: LinkRow,
        partner: str,
        me: str,
        key_fingerprint: str,
        types: Types,
        parsed: Sequence[Parsed],
    ) -> None:
        self.tx = tx
        self.link = link
        self.partner = partner
        self.me = me
        self.key_fingerprint = key_fingerprint
        self.replicas = _Replicas(tx.session, [p for p in parsed if p.object_type in types], types)
        self.markings: dict[Any, Marking] = {}

    def one(self, p: Parsed, *, held: bool = False) -> None:
        tx, partner, replicas = self.tx, self.partner, self.replicas
        refused = replicas.refusal(p, partner)
        if refused is not None:
            _refuse(tx, self.link, partner, self.me, p, refused)
            return
        origin: dict[str, Any] = {
            "partner": partner,
            "stream_seq": p.item.seq,
            "stream_hash": p.item.hash,
            "ledger_seq": p.ledger_seq,
        }
        if held:
            origin["held"] = True  # held until this node understood its type
        grant = Grant(
            rule="federation.receive",
            basis=f"{partner} release stream item {p.item.seq}, signed by key {self.key_fingerprint}",
        )
        data: dict[str, Any] = {"origin": origin}
        if p.kind == "event":
            assert p.event is not None
            assert p.event_text is not None
            data["state"] = replicas.apply_event(p)
            origin["node"] = p.event.get("node")
            origin["event_hash"] = hashlib.sha256(p.event_text.encode()).hexdigest()
            origin["event_sig"] = p.event_sig
            origin["event_kind"] = p.event.get("kind")
            marking = _marking(self.markings, p.event["marking"])
            kind = "federation.replica.applied"
        else:
            row = replicas.withdraw(p)
            if row is not None:
                data["state"] = replicas.snapshot(p.object_type, row)
            marking = Marking(frozenset())
            kind = "federation.replica.withdrawn"
        tx.record(EventDraft(kind, p.object_type, p.object_id, partner, marking, data, None, grant))


class _Held:
    """Which items of a page are held: those of a type this node does not
    understand, and every later one about an object an earlier held item is
    about (changes to one object apply in order, or not yet)."""

    def __init__(self, s: Session, partner: str, types: Types) -> None:
        self.partner = partner
        self.types = types
        self.pending: set[tuple[str, str]] = {
            (t, i)
            for t, i in s.execute(
                select(HeldRow.object_type, HeldRow.object_id).where(HeldRow.partner == partner)
            )
        }

    def holds(self, p: Parsed) -> bool:
        return p.object_type not in self.types or (p.object_type, p.object_id) in self.pending

    def keep(self, tx: Tx, me: str, p: Parsed) -> None:
        """Keep the item as it was sent, and say so in our ledger (national-only)."""
        self.pending.add((p.object_type, p.object_id))
        tx.session.add(
            HeldRow(
                partner=self.partner,
                seq=p.item.seq,
                object_type=p.object_type,
                object_id=p.object_id,
                kind=p.kind,
                item=p.item.raw(),
                at=tx.now,
            )
        )
        tx.record(
            EventDraft(
                "federation.item.held",
                "partner",
                self.partner,
                me,
                Marking.national(me),
                {
                    "seq": p.item.seq,
                    "hash": p.item.hash,
                    "kind": p.kind,
                    "object": {"type": p.object_type, "id": p.object_id, "owner": p.owner},
                },
                None,
                Grant(
                    "federation.receive",
                    f"item {p.item.seq} from {self.partner} held: type {p.object_type!r} "
                    "is not understood here yet",
                ),
            )
        )


def _refuse(tx: Tx, link: LinkRow, partner: str, me: str, p: Parsed, why: ItemProblem) -> None:
    """Keep a refused item (the partner's signed record of it) in the quarantine
    table and say so in our ledger, in the page's transaction; the link runs on."""
    tx.session.add(
        QuarantineRow(
            partner=partner,
            seq=p.item.seq,
            code=why.code,
            reason_en=why.reason.en,
            reason_ja=why.reason.ja,
            item=p.item.raw(),
            at=tx.now,
        )
    )
    link.last_error = f"{why.code}: {why.reason.en}"
    obj = {"type": p.object_type, "id": p.object_id, "owner": p.owner}
    tx.record(
        EventDraft(
            "federation.item.refused",
            "partner",
            partner,
            me,
            Marking.national(me),
            {
                "seq": p.item.seq,
                "hash": p.item.hash,
                "kind": p.kind,
                "code": why.code,
                "reason": why.reason.as_dict(),
                "object": obj,
            },
            None,
            Grant("federation.receive", f"item {p.item.seq} from {partner} refused: {why.code}"),
        )
    )
