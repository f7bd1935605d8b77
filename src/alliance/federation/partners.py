"""Partners, link status, quarantine: what an operator sees and does."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select

from alliance.core.authority import Grant
from alliance.core.errors import Conflict, InvalidInput, Unavailable, not_found
from alliance.core.i18n import Text
from alliance.core.keys import NodeKey, fingerprint
from alliance.core.ledger import EventDraft
from alliance.core.markings import Marking
from alliance.core.models import TimeOut
from alliance.store.context import DeskContext
from alliance.store.db import Database
from alliance.store.schema import LinkRow, PartnerRow, QuarantineRow
from alliance.store.writer import Tx

from .held import HeldOut, held_by_type
from .stream import StreamBuilder
from .wire import GENESIS_PREV

ACK_REFRESH_S = 5.0
NOTED = " (retrying; the link keeps running)"  # the end of a note_problem() text  # a pull that acknowledges nothing new is recorded at most this often


@dataclass(frozen=True, slots=True)
class NewPartner:
    nation: str
    node_id: str
    url: str
    ledger_key: str
    ca_pem: str
    ca_fingerprint: str


class QuarantinedOut(BaseModel):
    id: int
    partner: str
    seq: int
    code: str
    reason: dict[str, str]
    at: TimeOut
    resolved: TimeOut | None
    resolution: str


class LinkOut(BaseModel):
    """One partner as this node sees it: both directions of the link."""

    partner: str
    node_id: str
    url: str
    key_fingerprint: str
    state: str
    last_error: str
    sent_seq: int
    acked_seq: int
    outbound_lag: int
    received_seq: int
    partner_head_seq: int
    inbound_lag: int
    last_pull: TimeOut | None
    last_received: TimeOut | None
    quarantined: int
    held: list[HeldOut]  # items of types not understood here yet, by type
    partner_types: list[str] | None  # the object types the partner says it understands
    not_understood: list[str]  # of the types we ship, those it does not (held there)


def partner_cas(db: Database) -> dict[str, str]:
    with db.read() as s:
        return {p.nation: p.ca_pem for p in s.scalars(select(PartnerRow))}


def partners(db: Database) -> list[PartnerRow]:
    with db.read() as s:
        return list(s.scalars(select(PartnerRow).order_by(PartnerRow.nation)))


def _time(value: datetime | None) -> TimeOut | None:
    return TimeOut.maybe(value)


class PartnerDesk:
    def __init__(self, ctx: DeskContext, builder: StreamBuilder, key: NodeKey) -> None:
        self.ctx = ctx
        self.builder = builder
        self.key = key
        self._acks: dict[str, tuple[int, float]] = {}  # partner -> last ack recorded, when
        self._acks_lock = threading.Lock()

    def add(self, new: NewPartner) -> int:
        """Register a partner and queue everything already released to it.

        Returns how many items its stream starts with.
        """
        if new.nation in self.ctx.hosted:
            raise InvalidInput(
                Text(
                    f"{new.nation} is hosted by this node; a partner is another nation.",
                    f"{new.nation}はこのノードが扱う国です。連携先は他国です。",
                ),
                field="nation",
                code="partner_is_self",
            )

        def job(tx: Tx) -> int:
            s = tx.session
            if s.get(PartnerRow, new.nation) is not None:
                raise Conflict(
                    Text(f"{new.nation} is already a partner.", f"{new.nation}は既に連携先です。"),
                    field="nation",
                    code="partner_exists",
                )
            s.add(
                PartnerRow(
                    nation=new.nation,
                    node_id=new.node_id,
                    url=new.url,
                    ledger_key=new.ledger_key,
                    ca_pem=new.ca_pem,
                    ca_fingerprint=new.ca_fingerprint,
                    added_at=tx.now,
                )
            )
            s.add(
                LinkRow(
                    partner=new.nation,
                    sent_seq=0,
                    acked_seq=0,
                    received_seq=0,
                    received_hash=GENESIS_PREV,
                    partner_head_seq=0,
                    partner_head_sig="",
                    state="running",
                    last_error="",
                )
            )
            s.flush()
            queued = self.builder.initial_sync(s, new.nation, self.key)
            tx.record(
                EventDraft(
                    "federation.partner.added",
                    "partner",
                    new.nation,
                    self.ctx.nation,
                    Marking.national(self.ctx.nation),
                    {
                        "node_id": new.node_id,
                        "url": new.url,
                        "ledger_key": new.ledger_key,
                        "ca_fingerprint": new.ca_fingerprint,
                        "initial_items": queued,
                    },
                    None,
                    Grant("federation.partner", "node operator added a partner bundle"),
                )
            )
            return queued

        return self.ctx.writer.run(job)

    def status(self) -> list[LinkOut]:
        with self.ctx.db.read() as s:
            out = []
            for p in s.scalars(select(PartnerRow).order_by(PartnerRow.nation)):
                link = s.get(LinkRow, p.nation)
                if link is None:
                    continue
                quarantined = len(
                    s.scalars(
                        select(QuarantineRow.id).where(
                            QuarantineRow.partner == p.nation, QuarantineRow.resolved_at.is_(None)
                        )
                    ).all()
                )
                theirs = link.partner_types.split(",") if link.partner_types else None
                out.append(
                    LinkOut(
                        partner=p.nation,
                        node_id=p.node_id,
                        url=p.url,
                        key_fingerprint=_fp(p.ledger_key),
                        state=link.state,
                        last_error=link.last_error,
                        sent_seq=link.sent_seq,
                        acked_seq=link.acked_seq,
                        outbound_lag=link.sent_seq - link.acked_seq,
                        received_seq=link.received_seq,
                        partner_head_seq=link.partner_head_seq,
                        inbound_lag=max(0, link.partner_head_seq - link.received_seq),
                        last_pull=_time(link.last_pull_at),
                        last_received=_time(link.last_received_at),
                        quarantined=quarantined,
                        held=held_by_type(s, p.nation),
                        partner_types=theirs,
                        not_understood=sorted(
                            set(self.builder.types) - set(theirs or self.builder.types)
                        ),
                    )
                )
            return out

    def quarantine(
        self, partner: str | None = None, *, open_only: bool = True
    ) -> list[QuarantinedOut]:
        stmt = select(QuarantineRow).order_by(QuarantineRow.id)
        if partner:
            stmt = stmt.where(QuarantineRow.partner == partner)
        if open_only:
            stmt = stmt.where(QuarantineRow.resolved_at.is_(None))
        with self.ctx.db.read() as s:
            return [
                QuarantinedOut(
                    id=q.id,
                    partner=q.partner,
                    seq=q.seq,
                    code=q.code,
                    reason={"en": q.reason_en, "ja": q.reason_ja},
                    at=TimeOut.of(q.at),
                    resolved=_time(q.resolved_at),
                    resolution=q.resolution,
                )
                for q in s.scalars(stmt)
            ]

    def resume(self, partner: str, note: str) -> LinkOut:
        """The operator has dealt with the cause: close open quarantine entries and pull again."""

        def job(tx: Tx) -> None:
            s = tx.session
            link = s.get(LinkRow, partner)
            if link is None:
                raise not_found("partner", partner, "partner")
            for q in s.scalars(
                select(QuarantineRow).where(
                    QuarantineRow.partner == partner, QuarantineRow.resolved_at.is_(None)
                )
            ):
                q.resolved_at = tx.now
                q.resolution = note
            link.state = "running"
            link.last_error = ""
            tx.record(
                EventDraft(
                    "federation.link.resumed",
                    "partner",
                    partner,
                    self.ctx.nation,
                    Marking.national(self.ctx.nation),
                    {"note": note},
                    None,
                    Grant("federation.partner", "node operator resumed the link"),
                )
            )

        self.ctx.writer.run(job)
        return next(link for link in self.status() if link.partner == partner)

    def quarantine_item(self, partner: str, seq: int, code: str, reason: Text, raw: bytes) -> None:
        """Keep the rejected item and stop the link until an operator acts."""

        def job(tx: Tx) -> None:
            s = tx.session
            s.add(
                QuarantineRow(
                    partner=partner,
                    seq=seq,
                    code=code,
                    reason_en=reason.en,
                    reason_ja=reason.ja,
                    item=raw,
                    at=tx.now,
                )
            )
            link = s.get(LinkRow, partner)
            if link is not None:
                link.state = "stopped"
                link.last_error = f"{code}: {reason.en}"
            tx.record(
                EventDraft(
                    "federation.item.quarantined",
                    "partner",
                    partner,
                    self.ctx.nation,
                    Marking.national(self.ctx.nation),
                    {"seq": seq, "code": code, "reason": reason.as_dict()},
                    None,
                    Grant("federation.receive", f"item {seq} from {partner} failed a check"),
                )
            )

        self.ctx.writer.run(job)

    def note_problem(self, partner: str, code: str, reason: Text) -> None:
        """Show a problem with a partner's answers in its link's ``last_error``;
        the link keeps running (the pull is retried)."""

        def job(tx: Tx) -> None:
            link = tx.session.get(LinkRow, partner)
            if link is not None and link.state == "running":
                link.last_error = f"{code}: {reason.en}{NOTED}"

        with contextlib.suppress(Unavailable):  # a node shutting down has no one to tell
            self.ctx.writer.run(job)

    def clear_problem(self, partner: str, code: str | None) -> None:
        """Take a problem :meth:`note_problem` showed (``code``'s, or any if None)
        off the link, if it is still shown."""

        def job(tx: Tx) -> None:
            link = tx.session.get(LinkRow, partner)
            if link is None or not link.last_error.endswith(NOTED):
                return
            if code is None or link.last_error.startswith(f"{code}:"):
                link.last_error = ""

        with contextlib.suppress(Unavailable):
            self.ctx.writer.run(job)

    def record_ack(self, partner: str, acked: int) -> None:
        """Record what the partner holds (and that it pulled): a write when the
        acknowledgement advanced, otherwise at most every ``ACK_REFRESH_S`` —
        a partner long-polls many times a second when the stream is busy, and
        each write is a commit."""
        now = time.monotonic()
        with self._acks_lock:
            last = self._acks.get(partner)
            if last is not None and acked <= last[0] and now - last[1] < ACK_REFRESH_S:
                return
            self._acks[partner] = (max(acked, last[0] if last else 0), now)

        def job(tx: Tx) -> None:
            link = tx.session.get(LinkRow, partner)
            if link is not None:
                link.acked_seq = max(link.acked_seq, min(acked, link.sent_seq))
                link.last_pull_at = tx.now

        # Advisory: the partner acknowledges again with its next pull, so a node
        # that is shutting down (writer stopped) simply does not record this one.
        with contextlib.suppress(Unavailable):
            self.ctx.writer.submit(job)

    def link(self, partner: str) -> LinkRow | None:
        with self.ctx.db.read() as s:
            return s.get(LinkRow, partner)


def _fp(hex_key: str) -> str:
    return fingerprint(bytes.fromhex(hex_key))
