"""The disclosure desk's endpoints: a thin router over :class:`DisclosureDesk`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alliance.desks import ActorDep, desk_dep

from .desk import DisclosureDesk
from .models import ProposalDecisionIn, ProposalIn, ProposalOut, ProposalState

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
