"""The ledger as far as the caller's nation may see it, and its verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from alliance.core.ledger import Event
from alliance.store.ledger import events_of
from alliance.store.schema import LedgerRow

from ..deps import ActorDep, AdminDep, NodeDep

router = APIRouter(prefix="/ledger", tags=["ledger"])


class EventOut(BaseModel):
    seq: int
    hash: str
    prev_hash: str
    signature: str
    event: dict[str, Any]

    @classmethod
    def of(cls, ev: Event) -> EventOut:
        return cls(
            seq=ev.seq,
            hash=ev.hash,
            prev_hash=ev.prev_hash,
            signature=ev.sig.hex(),
            event=ev.body_json(),
        )


@router.get("/events", response_model=list[EventOut], summary="Events released to your nation")
def list_events(
    node: NodeDep,
    actor: ActorDep,
    after: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=1000),
) -> list[EventOut]:
    stmt = (
        select(LedgerRow)
        .where(LedgerRow.seq > after, LedgerRow.rel.contains(actor.nation))
        .order_by(LedgerRow.seq)
        .limit(limit)
    )
    with node.db.read() as s:
        rows = list(s.scalars(stmt))
    return [
        EventOut(
            seq=r.seq,
            hash=r.hash,
            prev_hash=r.prev_hash,
            signature=bytes(r.sig).hex(),
            event=Event(
                r.seq,
                r.event_id,
                r.ts,
                r.kind,
                r.object_type,
                r.object_id,
                r.owner,
                r.rel,
                r.tlp,
                bytes(r.body),
                r.hash,
                r.prev_hash,
                bytes(r.sig),
            ).body_json(),
        )
        for r in rows
    ]


@router.get(
    "/objects/{object_type}/{object_id}",
    response_model=list[EventOut],
    summary="The history of one object",
)
def object_history(
    object_type: str, object_id: str, node: NodeDep, actor: ActorDep
) -> list[EventOut]:
    return [
        EventOut.of(ev)
        for ev in events_of(node.db, object_type, object_id)
        if ev.marking.releases_to(actor.nation)
    ]


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    head_hash: str
    first_bad_seq: int | None
    first_bad_event: str | None
    reason: dict[str, str] | None


@router.post(
    "/verify", response_model=VerifyOut, summary="Check the whole chain and every signature"
)
def verify(node: NodeDep, _admin: AdminDep) -> VerifyOut:
    report = node.verify_ledger()
    p = report.problem
    return VerifyOut(
        ok=report.ok,
        checked=report.checked,
        head_hash=report.head_hash,
        first_bad_seq=p.seq if p else None,
        first_bad_event=p.event_id if p else None,
        reason=p.reason.as_dict() if p else None,
    )
