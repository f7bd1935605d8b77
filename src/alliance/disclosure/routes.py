"""The disclosure desk's endpoints: a thin router over :class:`DisclosureDesk`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alliance.desks import ActorDep, desk_dep

from .desk import DisclosureDesk
from .models import (
    GuidanceIn,
    GuidanceOut,
    ProposalDecisionIn,
    ProposalIn,
    ProposalOut,
    ProposalState,
)

DisclosureDep = Annotated[DisclosureDesk, Depends(desk_dep("disclosure", DisclosureDesk))]

router = APIRouter(prefix="/disclosure", tags=["disclosure"])


@router.get(
    "/proposals", response_model=list[ProposalOut], summary="Disclosure proposals / 開示提案一覧"
)
def list_proposals(
    desk: DisclosureDep, actor: ActorDep, state: ProposalState | None = None
) -> list[ProposalOut]:
    return desk.list(actor, state)


@router.post(
    "/proposals",
    response_model=ProposalOut,
    status_code=201,
    summary="Propose releasing an object to more nations / 提供範囲の拡大を提案",
)
def propose(data: ProposalIn, desk: DisclosureDep, actor: ActorDep) -> ProposalOut:
    return desk.propose(actor, data)


@router.get(
    "/proposals/{proposal_id}", response_model=ProposalOut, summary="One proposal / 開示提案"
)
def get_proposal(proposal_id: str, desk: DisclosureDep, actor: ActorDep) -> ProposalOut:
    return desk.get(actor, proposal_id)


@router.post(
    "/proposals/{proposal_id}/approve",
    response_model=ProposalOut,
    summary="Approve: release it (foreign disclosure officer) / 承認して提供（対外開示担当官）",
)
def approve(
    proposal_id: str, data: ProposalDecisionIn, desk: DisclosureDep, actor: ActorDep
) -> ProposalOut:
    return desk.approve(actor, proposal_id, data)


@router.post(
    "/proposals/{proposal_id}/reject",
    response_model=ProposalOut,
    summary="Reject (foreign disclosure officer) / 不承認（対外開示担当官）",
)
def reject(
    proposal_id: str, data: ProposalDecisionIn, desk: DisclosureDep, actor: ActorDep
) -> ProposalOut:
    return desk.reject(actor, proposal_id, data)


@router.get(
    "/guidance",
    response_model=list[GuidanceOut],
    summary="Your nation's standing disclosure guidance / 自国の開示基準",
)
def list_guidance(desk: DisclosureDep, actor: ActorDep, active: bool = False) -> list[GuidanceOut]:
    return desk.list_guidance(actor, active_only=active)


@router.post(
    "/guidance",
    response_model=GuidanceOut,
    status_code=201,
    summary="Issue standing guidance (foreign disclosure officer) / 開示基準を定める（対外開示担当官）",
)
def issue_guidance(data: GuidanceIn, desk: DisclosureDep, actor: ActorDep) -> GuidanceOut:
    return desk.issue_guidance(actor, data)


@router.post(
    "/guidance/{guidance_id}/revoke",
    response_model=GuidanceOut,
    summary="Revoke standing guidance (foreign disclosure officer) / 開示基準の取消し",
)
def revoke_guidance(
    guidance_id: str, data: ProposalDecisionIn, desk: DisclosureDep, actor: ActorDep
) -> GuidanceOut:
    return desk.revoke_guidance(actor, guidance_id, data)
