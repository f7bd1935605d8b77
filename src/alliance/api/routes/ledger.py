"""The ledger as far as the caller's nation may see it, and its verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from alliance.core import limits
from alliance.core.errors import not_found
from alliance.core.ledger import Event
from alliance.core.models import TimeOut
from alliance.store.ledger import history, ledger_status, released_events

from ..deps import ActorDep, AdminDep, MonitorDep, NodeDep

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


@router.get(
    "/events",
    response_model=list[EventOut],
    summary="Events released to your nation / 自国へ提供可のイベント",
)
def list_events(
    node: NodeDep,
    actor: ActorDep,
    after: int = Query(0, ge=0, le=limits.MAX_SEQ),
    limit: int = Query(100, ge=1, le=limits.MAX_PAGE),
) -> list[EventOut]:
    return [
        EventOut.of(ev)
        for ev in released_events(node.db, actor.nation, node.types, after=after, limit=limit)
    ]


@router.get(
    "/objects/{object_type}/{object_id}",
    response_model=list[EventOut],
    summary="The history of one object / 対象の履歴",
)
def object_history(
    object_type: str, object_id: str, node: NodeDep, actor: ActorDep
) -> list[EventOut]:
    events = history(node.db, object_type, object_id, actor.nation, node.types)
    if not events:
        known = node.types.get(object_type)
        raise not_found(known.label if known else object_type, object_id)
    return [EventOut.of(ev) for ev in events]


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    head_hash: str
    first_bad_seq: int | None
    first_bad_event: str | None
    reason: dict[str, str] | None


@router.post(
    "/verify",
    response_model=VerifyOut,
    summary="Check the chain and every signature / 台帳と全署名を検証",
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


class LastVerifyOut(BaseModel):
    at: TimeOut
    ok: bool
    checked: int
    head_hash: str
    first_bad_seq: int | None
    reason: dict[str, str] | None


class LedgerStatusOut(BaseModel):
    head_seq: int
    head_hash: str
    events: int
    last_verify: LastVerifyOut | None  # None: never verified through the node


@router.get(
    "/status",
    response_model=LedgerStatusOut,
    summary="Head, size and the last verification / 台帳の先頭・件数・最終検証",
    description="Commanders, staff officers and node administrators only. / "
    "指揮官・幕僚・ノード管理者のみ。",
)
def status(node: NodeDep, _actor: MonitorDep) -> LedgerStatusOut:
    st = ledger_status(node.db)
    last = st.last_verify
    return LedgerStatusOut(
        head_seq=st.head_seq,
        head_hash=st.head_hash,
        events=st.events,
        last_verify=None
        if last is None
        else LastVerifyOut(
            at=TimeOut.of(last.at),
            ok=last.ok,
            checked=last.checked,
            head_hash=last.head_hash,
            first_bad_seq=last.first_bad_seq,
            reason=last.reason,
        ),
    )
