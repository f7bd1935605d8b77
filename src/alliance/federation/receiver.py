"""Applying what a partner released to us: read-only replicas, and our own record of them.

Each accepted item becomes (or updates, or withdraws) a replica row owned by
the partner (``origin = "replica"``), and an event in *our* ledger that
carries the partner's event, its signature and where it came from. Our
ledger therefore shows the whole thread, while each side writes only its own
part: a replica is never written by a local desk (its owner is not hosted
here) and never shipped onwards (streams carry only our own nation's objects).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from alliance.core.authority import Grant
from alliance.core.ledger import EventDraft
from alliance.core.markings import Marking
from alliance.store.owned import restore, snapshot
from alliance.store.projection import TABLES
from alliance.store.schema import LinkRow, OwnedRow
from alliance.store.writer import Tx

from .wire import Head, Parsed


def _apply_event(s: Session, p: Parsed) -> OwnedRow:
    assert p.event is not None
    model = TABLES[p.object_type]
    values = restore(model, p.event["data"]["state"])
    values.update(id=p.object_id, owner=p.owner, origin="replica")
    row = s.get(model, p.object_id)
    if row is None:
        row = model(**values)
        s.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    return row


def _apply_withdraw(s: Session, p: Parsed) -> OwnedRow | None:
    row = s.get(TABLES[p.object_type], p.object_id)
    if row is None:
        return None
    # Kept, but released to nobody: other rows may still point at it.
    row.rel = ""
    row.tlp = None
    row.origin = "withdrawn"
    return row


def apply_items(
    tx: Tx, partner: str, key_fingerprint: str, parsed: Sequence[Parsed], head: Head | None
) -> int:
    """A writer job body: apply checked items in order and advance the link."""
    s = tx.session
    link = s.get(LinkRow, partner)
    if link is None:
        raise RuntimeError(f"no federation link for {partner}")
    for p in parsed:
        origin: dict[str, Any] = {
            "partner": partner,
            "stream_seq": p.item.seq,
            "stream_hash": p.item.hash,
            "ledger_seq": p.ledger_seq,
        }
        grant = Grant(
            rule="federation.receive",
            basis=f"{partner} release stream item {p.item.seq}, signed by key {key_fingerprint}",
        )
        if p.kind == "event":
            assert p.event is not None
            assert p.event_text is not None
            row: OwnedRow | None = _apply_event(s, p)
            s.flush()
            origin["node"] = p.event.get("node")
            origin["event_hash"] = hashlib.sha256(p.event_text.encode()).hexdigest()
            origin["event_sig"] = p.event_sig
            origin["event_kind"] = p.event.get("kind")
            marking = Marking.from_json(p.event["marking"])
            kind = "federation.replica.applied"
        else:
            row = _apply_withdraw(s, p)
            s.flush()
            marking = Marking(frozenset())
            kind = "federation.replica.withdrawn"
        data: dict[str, Any] = {"origin": origin}
        if row is not None:
            data["state"] = snapshot(row)
        tx.record(EventDraft(kind, p.object_type, p.object_id, partner, marking, data, None, grant))
        link.received_seq = p.item.seq
        link.received_hash = p.item.hash
        link.last_received_at = tx.now
    if head is not None and head.seq >= link.partner_head_seq:
        link.partner_head_seq = head.seq
        link.partner_head_sig = head.sig.hex()
    return len(parsed)
