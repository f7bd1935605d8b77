"""ACM desk endpoints: coordination requests and their thread, decisions, working groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from alliance.acm.desk import AcmDesk
from alliance.acm.models import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    CloseIn,
    DecisionIn,
    DecisionOut,
    DelegationIn,
    DelegationOut,
    EscalateIn,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    NationalDecisionIn,
    NationalDecisionOut,
    RequestIn,
    RequestOut,
    RequestPatch,
    ResponseIn,
    ResponseOut,
    RevokeIn,
    Status,
    ThreadOut,
    WorkingGroupIn,
    WorkingGroupOut,
)
from alliance.desks import ActorDep, desk_dep

AcmDep = Annotated[AcmDesk, Depends(desk_dep("acm", AcmDesk))]

router = APIRouter(prefix="/acm", tags=["acm"])


@router.get(
    "/requests", response_model=list[RequestOut], summary="Coordination requests / 調整要請一覧"
)
def list_requests(
    desk: AcmDep, actor: ActorDep, status: Status | None = None, hq_id: str | None = None
) -> list[RequestOut]:
    return desk.list_requests(actor, status=status, hq_id=hq_id)


@router.post(
    "/requests",
    response_model=RequestOut,
    status_code=201,
    summary="Draft a coordination request / 調整要請を起案",
)
def create_request(data: RequestIn, desk: AcmDep, actor: ActorDep) -> RequestOut:
    return desk.create_request(actor, data)


@router.get(
    "/requests/{request_id}",
    response_model=ThreadOut,
    summary="A request and its thread / 要請とスレッド",
)
def thread(request_id: str, desk: AcmDep, actor: ActorDep) -> ThreadOut:
    return desk.thread(actor, request_id)


@router.patch(
    "/requests/{request_id}",
    response_model=RequestOut,
    summary="Amend (a sent request gets a new revision) / 修正（送付後は新版）",
)
def amend(request_id: str, data: RequestPatch, desk: AcmDep, actor: ActorDep) -> RequestOut:
    return desk.update_request(actor, request_id, data)


@router.post("/requests/{request_id}/send", response_model=RequestOut, summary="Send / 送付")
def send(request_id: str, desk: AcmDep, actor: ActorDep) -> RequestOut:
    return desk.send(actor, request_id)


@router.post("/requests/{request_id}/close", response_model=RequestOut, summary="Close / 完結")
def close(request_id: str, data: CloseIn, desk: AcmDep, actor: ActorDep) -> RequestOut:
    return desk.close(actor, request_id, data)


@router.post(
    "/requests/{request_id}/withdraw", response_model=RequestOut, summary="Withdraw / 取下げ"
)
def withdraw(request_id: str, data: CloseIn, desk: AcmDep, actor: ActorDep) -> RequestOut:
    return desk.withdraw(actor, request_id, data)


@router.post(
    "/requests/{request_id}/escalate",
    response_model=RequestOut,
    summary="Escalate to a higher tier (CCC → BOCC → ACG) / 上位の階層へ移行",
)
def escalate(request_id: str, data: EscalateIn, desk: AcmDep, actor: ActorDep) -> RequestOut:
    return desk.escalate(actor, request_id, data)


@router.post(
    "/requests/{request_id}/responses",
    response_model=ResponseOut,
    status_code=201,
    summary="Acknowledge, comment, answer (RFI), concur, concur with comment, non-concur / "
    "受領・意見・回答・同意・意見付き同意・不同意",
)
def respond(request_id: str, data: ResponseIn, desk: AcmDep, actor: ActorDep) -> ResponseOut:
    return desk.respond(actor, request_id, data)


@router.post(
    "/requests/{request_id}/decision",
    response_model=DecisionOut,
    status_code=201,
    summary="Record the coordinated outcome once every nation concurred / "
    "全当事国の同意後に調整結果を記録",
)
def decide(request_id: str, data: DecisionIn, desk: AcmDep, actor: ActorDep) -> DecisionOut:
    return desk.decide(actor, request_id, data)


@router.get(
    "/decisions",
    response_model=list[DecisionOut],
    summary="Coordinated outcomes (the decision log) / 調整結果（決定記録）",
)
def decision_log(desk: AcmDep, actor: ActorDep) -> list[DecisionOut]:
    return desk.decision_log(actor)


@router.get(
    "/decisions/{decision_id}/national",
    response_model=list[NationalDecisionOut],
    summary="The national decisions implementing an outcome / 調整結果に対する各国の決定",
)
def national_decisions(
    decision_id: str, desk: AcmDep, actor: ActorDep
) -> list[NationalDecisionOut]:
    return desk.national_decisions(actor, decision_id)


@router.post(
    "/decisions/{decision_id}/national",
    response_model=NationalDecisionOut,
    status_code=201,
    summary="Your nation's decision on a coordinated outcome, with its taskings / "
    "調整結果に対する自国の決定と任務付与",
)
def decide_nationally(
    decision_id: str, data: NationalDecisionIn, desk: AcmDep, actor: ActorDep
) -> NationalDecisionOut:
    return desk.decide_nationally(actor, decision_id, data)


@router.get(
    "/groups", response_model=list[WorkingGroupOut], summary="Working groups / 作業部会一覧"
)
def list_groups(desk: AcmDep, actor: ActorDep) -> list[WorkingGroupOut]:
    return desk.list_groups(actor)


@router.post(
    "/groups",
    response_model=WorkingGroupOut,
    status_code=201,
    summary="Create a working group / 作業部会を設置",
)
def create_group(data: WorkingGroupIn, desk: AcmDep, actor: ActorDep) -> WorkingGroupOut:
    return desk.create_group(actor, data)


@router.get(
    "/groups/{group_id}/meetings", response_model=list[MeetingOut], summary="Meetings / 会議一覧"
)
def list_meetings(group_id: str, desk: AcmDep, actor: ActorDep) -> list[MeetingOut]:
    return desk.list_meetings(actor, group_id)


@router.post(
    "/groups/{group_id}/meetings",
    response_model=MeetingOut,
    status_code=201,
    summary="Schedule a meeting / 会議を登録",
)
def add_meeting(group_id: str, data: MeetingIn, desk: AcmDep, actor: ActorDep) -> MeetingOut:
    return desk.add_meeting(actor, group_id, data)


@router.patch(
    "/meetings/{meeting_id}",
    response_model=MeetingOut,
    summary="Change a meeting (host nation) / 会議を変更（主催国）",
)
def update_meeting(
    meeting_id: str, data: MeetingPatch, desk: AcmDep, actor: ActorDep
) -> MeetingOut:
    return desk.update_meeting(actor, meeting_id, data)


@router.get(
    "/groups/{group_id}/actions",
    response_model=list[ActionItemOut],
    summary="Action items / 処置事項一覧",
)
def list_actions(group_id: str, desk: AcmDep, actor: ActorDep) -> list[ActionItemOut]:
    return desk.list_actions(actor, group_id)


@router.post(
    "/groups/{group_id}/actions",
    response_model=ActionItemOut,
    status_code=201,
    summary="Commit your nation to an action / 自国の処置事項を登録",
)
def add_action(group_id: str, data: ActionItemIn, desk: AcmDep, actor: ActorDep) -> ActionItemOut:
    return desk.add_action(actor, group_id, data)


@router.patch(
    "/actions/{item_id}",
    response_model=ActionItemOut,
    summary="Update your action item / 処置事項を更新",
)
def update_action(
    item_id: str, data: ActionItemPatch, desk: AcmDep, actor: ActorDep
) -> ActionItemOut:
    return desk.update_action(actor, item_id, data)


@router.get(
    "/delegations",
    response_model=list[DelegationOut],
    summary="Delegations of concurrence authority / 同意権限の委任一覧",
)
def list_delegations(desk: AcmDep, actor: ActorDep) -> list[DelegationOut]:
    return desk.list_delegations(actor)


@router.post(
    "/delegations",
    response_model=DelegationOut,
    status_code=201,
    summary="Delegate concurrence authority to a named staff officer / 幕僚へ同意権限を委任",
)
def delegate(data: DelegationIn, desk: AcmDep, actor: ActorDep) -> DelegationOut:
    return desk.delegate(actor, data)


@router.post(
    "/delegations/{delegation_id}/revoke",
    response_model=DelegationOut,
    summary="Revoke a delegation / 委任を取消し",
)
def revoke_delegation(
    delegation_id: str, data: RevokeIn, desk: AcmDep, actor: ActorDep
) -> DelegationOut:
    return desk.revoke_delegation(actor, delegation_id, data)
