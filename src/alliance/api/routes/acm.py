"""ACM desk endpoints: coordination requests and their thread, decisions, working groups."""

from __future__ import annotations

from fastapi import APIRouter

from alliance.acm import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    CloseIn,
    DecisionIn,
    DecisionOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    RequestIn,
    RequestOut,
    RequestPatch,
    ResponseIn,
    ResponseOut,
    Status,
    ThreadOut,
    WorkingGroupIn,
    WorkingGroupOut,
)

from ..deps import ActorDep, NodeDep

router = APIRouter(prefix="/acm", tags=["acm"])


@router.get(
    "/requests", response_model=list[RequestOut], summary="Coordination requests / 調整要請一覧"
)
def list_requests(
    node: NodeDep, actor: ActorDep, status: Status | None = None, hq_id: str | None = None
) -> list[RequestOut]:
    return node.acm.list_requests(actor, status=status, hq_id=hq_id)


@router.post(
    "/requests",
    response_model=RequestOut,
    status_code=201,
    summary="Draft a coordination request / 調整要請を起案",
)
def create_request(data: RequestIn, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.create_request(actor, data)


@router.get(
    "/requests/{request_id}",
    response_model=ThreadOut,
    summary="A request and its thread / 要請とスレッド",
)
def thread(request_id: str, node: NodeDep, actor: ActorDep) -> ThreadOut:
    return node.acm.thread(actor, request_id)


@router.patch(
    "/requests/{request_id}",
    response_model=RequestOut,
    summary="Amend (a sent request gets a new revision) / 修正（送付後は新版）",
)
def amend(request_id: str, data: RequestPatch, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.update_request(actor, request_id, data)


@router.post("/requests/{request_id}/send", response_model=RequestOut, summary="Send / 送付")
def send(request_id: str, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.send(actor, request_id)


@router.post("/requests/{request_id}/close", response_model=RequestOut, summary="Close / 完結")
def close(request_id: str, data: CloseIn, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.close(actor, request_id, data)


@router.post(
    "/requests/{request_id}/withdraw", response_model=RequestOut, summary="Withdraw / 取下げ"
)
def withdraw(request_id: str, data: CloseIn, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.withdraw(actor, request_id, data)


@router.post(
    "/requests/{request_id}/responses",
    response_model=ResponseOut,
    status_code=201,
    summary="Acknowledge, reply, comment, concur, non-concur, counter-propose / 受領・回答・意見・同意・不同意・対案",
)
def respond(request_id: str, data: ResponseIn, node: NodeDep, actor: ActorDep) -> ResponseOut:
    return node.acm.respond(actor, request_id, data)


@router.post(
    "/requests/{request_id}/decision",
    response_model=DecisionOut,
    status_code=201,
    summary="Record the decision once every nation concurred / 全当事国の同意後に決定を記録",
)
def decide(request_id: str, data: DecisionIn, node: NodeDep, actor: ActorDep) -> DecisionOut:
    return node.acm.decide(actor, request_id, data)


@router.get("/decisions", response_model=list[DecisionOut], summary="The decision log / 決定記録")
def decision_log(node: NodeDep, actor: ActorDep) -> list[DecisionOut]:
    return node.acm.decision_log(actor)


@router.get(
    "/groups", response_model=list[WorkingGroupOut], summary="Working groups / 作業部会一覧"
)
def list_groups(node: NodeDep, actor: ActorDep) -> list[WorkingGroupOut]:
    return node.acm.list_groups(actor)


@router.post(
    "/groups",
    response_model=WorkingGroupOut,
    status_code=201,
    summary="Create a working group / 作業部会を設置",
)
def create_group(data: WorkingGroupIn, node: NodeDep, actor: ActorDep) -> WorkingGroupOut:
    return node.acm.create_group(actor, data)


@router.get(
    "/groups/{group_id}/meetings", response_model=list[MeetingOut], summary="Meetings / 会議一覧"
)
def list_meetings(group_id: str, node: NodeDep, actor: ActorDep) -> list[MeetingOut]:
    return node.acm.list_meetings(actor, group_id)


@router.post(
    "/groups/{group_id}/meetings",
    response_model=MeetingOut,
    status_code=201,
    summary="Schedule a meeting / 会議を登録",
)
def add_meeting(group_id: str, data: MeetingIn, node: NodeDep, actor: ActorDep) -> MeetingOut:
    return node.acm.add_meeting(actor, group_id, data)


@router.patch(
    "/meetings/{meeting_id}",
    response_model=MeetingOut,
    summary="Change a meeting (host nation) / 会議を変更（主催国）",
)
def update_meeting(
    meeting_id: str, data: MeetingPatch, node: NodeDep, actor: ActorDep
) -> MeetingOut:
    return node.acm.update_meeting(actor, meeting_id, data)


@router.get(
    "/groups/{group_id}/actions",
    response_model=list[ActionItemOut],
    summary="Action items / 処置事項一覧",
)
def list_actions(group_id: str, node: NodeDep, actor: ActorDep) -> list[ActionItemOut]:
    return node.acm.list_actions(actor, group_id)


@router.post(
    "/groups/{group_id}/actions",
    response_model=ActionItemOut,
    status_code=201,
    summary="Commit your nation to an action / 自国の処置事項を登録",
)
def add_action(group_id: str, data: ActionItemIn, node: NodeDep, actor: ActorDep) -> ActionItemOut:
    return node.acm.add_action(actor, group_id, data)


@router.patch(
    "/actions/{item_id}",
    response_model=ActionItemOut,
    summary="Update your action item / 処置事項を更新",
)
def update_action(
    item_id: str, data: ActionItemPatch, node: NodeDep, actor: ActorDep
) -> ActionItemOut:
    return node.acm.update_action(actor, item_id, data)
