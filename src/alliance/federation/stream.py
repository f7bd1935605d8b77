"""Outbound release streams: built in the same transaction as the events.

The writer calls :meth:`StreamBuilder.follow` inside every batch, after the
batch's ledger events are inserted and before the commit. For each partner and
each new event about an object this node's nation owns:

* released to the partner → an ``event`` item (the event carries the
  object's full state, so a new release sends the current state);
* not released, but released before → a ``withdraw`` item;
* otherwise → nothing: what is not released never enters a stream.

Because the items commit with the events or not at all, no event can be
missed or shipped twice, whatever crashes when.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from alliance.core import release
from alliance.core.keys import NodeKey
from alliance.core.ledger import GENESIS_PREV, Event, sign_digests
from alliance.store import release_index
from alliance.store.db import Database
from alliance.store.ledger import events_at
from alliance.store.schema import LedgerRow, LinkRow, OutboundRow, OwnedRow, PartnerRow, ReleasedRow
from alliance.store.writer import FollowContext

from .rows import insert_many
from .wire import Head, Item, event_body, head_digest, withdraw_body


@dataclass(frozen=True, slots=True)
class _Pending:
    partner: str
    kind: str
    event: Event


def _stream_head(s: Session, partner: str) -> tuple[int, str]:
    row = s.execute(
        select(OutboundRow.seq, OutboundRow.hash)
        .where(OutboundRow.partner == partner)
        .order_by(OutboundRow.seq.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS_PREV)


class StreamBuilder:
    """Appends to every partner's release stream as events are written."""

    def __init__(self, nation: str, node_id: str, types: Mapping[str, type[OwnedRow]]) -> None:
        self.nation = nation
        self.node_id = node_id
        self.types = types  # the object types shipped: name -> table

    def may_ship(self, ev: Event) -> bool:
        """Whether ``ev`` can enter a stream: it is about an object our nation owns."""
        return ev.owner == self.nation and ev.object_type in self.types

    # -- the follower -----------------------------------------------------------

    def follow(self, ctx: FollowContext) -> None:
        s = ctx.session
        partners = list(s.scalars(select(PartnerRow.nation)))
        if not partners:
            return
        mine = [ev for ev in ctx.events if self.may_ship(ev)]
        if not mine:
            return
        pending = self._decide(s, partners, mine)
        if pending:
            self._append(s, pending, ctx.key, ctx)

    def _decide(self, s: Session, partners: list[str], events: list[Event]) -> list[_Pending]:
        before = _released_before(s, partners, events)
        state: dict[tuple[str, str, str], bool] = {}
        out: list[_Pending] = []
        for ev in events:
            nations = release.rel_nations(ev.rel)
            for partner in partners:
                key = (partner, ev.object_type, ev.object_id)
                if key not in state:
                    state[key] = key in before
                if release.releases(nations, partner, ev.owner):
                    out.append(_Pending(partner, "event", ev))
                    state[key] = True
                elif state[key]:
                    out.append(_Pending(partner, "withdraw", ev))
                    state[key] = False
        self._save_released(s, state, before)
        return out

    def _save_released(
        self, s: Session, state: dict[tuple[str, str, str], bool], before: set[tuple[str, str, str]]
    ) -> None:
        """Record what changed: new releases, and releases withdrawn."""
        add = [
            {"partner": p, "object_type": t, "object_id": i}
            for (p, t, i), released in state.items()
            if released and (p, t, i) not in before
        ]
        if add:
            dialect = s.get_bind().dialect.name
            ins = sqlite_insert(ReleasedRow) if dialect == "sqlite" else pg_insert(ReleasedRow)
            s.execute(ins.on_conflict_do_nothing(), add)
        for (p, t, i), released in state.items():
            if not released and (p, t, i) in before:
                s.execute(
                    delete(ReleasedRow).where(
                        ReleasedRow.partner == p,
                        ReleasedRow.object_type == t,
                        ReleasedRow.object_id == i,
                    )
                )

    def _append(
        self, s: Session, pending: list[_Pending], key: NodeKey, ctx: FollowContext | None
    ) -> None:
        heads: dict[str, tuple[int, str]] = {}
        rows: list[dict[str, object]] = []
        digests: list[bytes] = []
        for p in pending:
            seq, prev = heads.get(p.partner) or _stream_head(s, p.partner)
            seq += 1
            build = event_body if p.kind == "event" else withdraw_body
            body = build(
                p.event,
                origin=self.nation,
                node=self.node_id,
                partner=p.partner,
                seq=seq,
                prev=prev,
            )
            digest = hashlib.sha256(body).digest()
            digests.append(digest)
            rows.append(
                {
                    "partner": p.partner,
                    "seq": seq,
                    "ledger_seq": p.event.seq,
                    "kind": p.kind,
                    "object_type": p.event.object_type,
                    "object_id": p.event.object_id,
                    "body": body,
                    "hash": digest.hex(),
                    "prev_hash": prev,
                }
            )
            heads[p.partner] = (seq, digest.hex())
        sigs = sign_digests(digests, key, ctx.pool if ctx else None)
        for row, sig in zip(rows, sigs, strict=True):
            row["sig"] = sig
        insert_many(s.connection(), _outbound(), rows)
        for partner, (seq, _hash) in heads.items():
            link = s.get(LinkRow, partner)
            if link is not None:
                link.sent_seq = seq

    # -- a new partner: everything already released to it -------------------------

    def initial_sync(self, s: Session, partner: str, key: NodeKey) -> int:
        """Ship the latest event of every object of ours already released to ``partner``."""
        latest: list[int] = []
        for object_type, model in self.types.items():
            ours = select(model.id).where(model.owner == self.nation)
            ids = s.scalars(release_index.released_to(ours, model, partner)).all()
            for object_id in ids:
                last = s.scalar(
                    select(func.max(LedgerRow.seq)).where(
                        LedgerRow.object_type == object_type, LedgerRow.object_id == object_id
                    )
                )
                if last is not None:
                    latest.append(last)
        events = events_at(s, sorted(latest))
        pending = [
            _Pending(partner, "event", ev)
            for ev in events
            if release.released_rel(ev.rel, partner, ev.owner)
        ]
        for ev in events:
            s.merge(
                ReleasedRow(partner=partner, object_type=ev.object_type, object_id=ev.object_id)
            )
        if pending:
            self._append(s, pending, key, None)
        return len(pending)


def _released_before(
    s: Session, partners: list[str], events: list[Event]
) -> set[tuple[str, str, str]]:
    """Which of these events' objects are released to which partner so far: one
    ``SELECT ... IN`` per partner, type and chunk, not one lookup per event."""
    wanted: dict[str, set[str]] = {}
    for ev in events:
        wanted.setdefault(ev.object_type, set()).add(ev.object_id)
    found: set[tuple[str, str, str]] = set()
    for object_type, ids in wanted.items():
        ordered = sorted(ids)
        for i in range(0, len(ordered), 500):
            for partner in partners:
                found.update(
                    (partner, object_type, object_id)
                    for object_id in s.scalars(
                        select(ReleasedRow.object_id).where(
                            ReleasedRow.partner == partner,
                            ReleasedRow.object_type == object_type,
                            ReleasedRow.object_id.in_(ordered[i : i + 500]),
                        )
                    )
                )
    return found


def _outbound() -> Table:
    table = OutboundRow.__table__
    assert isinstance(table, Table)
    return table


def read_stream(db: Database, partner: str, after: int, limit: int) -> list[Item]:
    with db.read() as s:
        rows = s.execute(
            select(
                OutboundRow.seq,
                OutboundRow.hash,
                OutboundRow.prev_hash,
                OutboundRow.sig,
                OutboundRow.body,
            )
            .where(OutboundRow.partner == partner, OutboundRow.seq > after)
            .order_by(OutboundRow.seq)
            .limit(limit)
        ).all()
    return [
        Item(seq=r[0], hash=r[1], prev_hash=r[2], sig=bytes(r[3]), body=bytes(r[4])) for r in rows
    ]


def stream_head(db: Database, partner: str) -> tuple[int, str]:
    """The last seq and hash of ``partner``'s stream."""
    with db.read() as s:
        return _stream_head(s, partner)


def sign_head(partner: str, seq: int, hash_: str, key: NodeKey) -> Head:
    return Head(
        partner=partner, seq=seq, hash=hash_, sig=key.sign(head_digest(partner, seq, hash_))
    )
