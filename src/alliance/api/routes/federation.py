"""Federation status and the operator's actions on a stopped link."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from alliance.core.models import Note, Strict
from alliance.federation import LinkOut, QuarantinedOut

from ..deps import AdminDep, MonitorDep, NodeDep

router = APIRouter(prefix="/federation", tags=["federation"])


@router.get(
    "/status",
    response_model=list[LinkOut],
    summary="Each partner: sent, acknowledged, received, lag, quarantine / 連携状況",
    description="Commanders, staff officers and node administrators only. / "
    "指揮官・幕僚・ノード管理者のみ。",
)
def status(node: NodeDep, _actor: MonitorDep) -> list[LinkOut]:
    return node.federation.partners.status()


@router.get(
    "/quarantine",
    response_model=list[QuarantinedOut],
    summary="Items a check rejected, with the reason / 検査で拒否された項目",
)
def quarantine(
    node: NodeDep, _admin: AdminDep, partner: str | None = None, include_resolved: bool = False
) -> list[QuarantinedOut]:
    return node.federation.partners.quarantine(partner, open_only=not include_resolved)


class ResumeIn(Strict):
    note: Note = Field(description="What was done about the cause")


@router.post(
    "/{partner}/resume",
    response_model=LinkOut,
    summary="Close the quarantine and pull again / 隔離を閉じて連携を再開",
)
def resume(partner: str, data: ResumeIn, node: NodeDep, _admin: AdminDep) -> LinkOut:
    return node.federation.partners.resume(partner.upper(), data.note)
