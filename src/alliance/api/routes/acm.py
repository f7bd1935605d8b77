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


@router.get("/requests", response_model=list[RequestOut])
def list_requests(
    node: NodeDep, actor: ActorDep, status: Status | None = None, hq_id: str | None = None
) -> list[RequestOut]:
    return node.acm.list_requests(actor, status=status, hq_id=hq_id)


@router.post("/requests", response_model=RequestOut, status_code=201)
def create_request(data: RequestIn, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.create_request(actor, data)


@router.get(
    "/requests/{request_id}", response_model=ThreadOut, summary="The request and its thread"
)
def thread(request_id: str, node: NodeDep, actor: ActorDep) -> ThreadOut:
    return node.acm.thread(actor, request_id)


@router.patch(
    "/requests/{request_id}",
    response_model=RequestOut,
    summary="Amend; a sent request gets a new revision",
)
def amend(request_id: str, data: RequestPatch, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.update_request(actor, request_id, data)


@router.post("/requests/{request_id}/send", response_model=RequestOut)
def send(request_id: str, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.send(actor, request_id)


@router.post("/requests/{request_id}/close", response_model=RequestOut)
def close(request_id: str, data: CloseIn, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.close(actor, request_id, data)


@router.post("/requests/{request_id}/withdraw", response_model=RequestOut)
def withdraw(request_id: str, data: CloseIn, node: NodeDep, actor: ActorDep) -> RequestOut:
    return node.acm.withdraw(actor, request_id, data)


@router.post(
    "/requests/{request_id}/responses",
    response_model=ResponseOut,
    status_code=201,
    summary="Acknowledge, reply, comment, concur, non-concur or counter-propose",
)
def respond(request_id: str, data: ResponseIn, node: NodeDep, actor: ActorDep) -> ResponseOut:
    return node.acm.respond(actor, request_id, data)


@router.post(
    "/requests/{request_id}/decision",
    response_model=DecisionOut,
    status_code=201,
    summary="Record the decision once every participating nation concurred",
)
def decide(request_id: str, data: DecisionIn, node: NodeDep, actor: ActorDep) -> DecisionOut:
    return node.acm.decide(actor, request_id, data)


@router.get("/decisions", response_model=list[DecisionOut], summary="The decision log")
def decision_log(node: NodeDep, actor: ActorDep) -> list[DecisionOut]:
    return node.acm.decision_log(actor)


@router.get("/groups", response_model=list[WorkingGroupOut])
def list_groups(node: NodeDep, actor: ActorDep) -> list[WorkingGroupOut]:
    return node.acm.list_groups(actor)


@router.post("/groups", response_model=WorkingGroupOut, status_code=201)
def create_group(data: WorkingGroupIn, node: NodeDep, actor: ActorDep) -> WorkingGroupOut:
    return node.acm.create_group(actor, data)


@router.get("/groups/{group_id}/meetings", response_model=list[MeetingOut])
def list_meetings(group_id: str, node: NodeDep, actor: ActorDep) -> list[MeetingOut]:
    return node.acm.list_meetings(actor, group_id)


@router.post("/groups/{group_id}/meetings", response_model=MeetingOut, status_code=201)
def add_meeting(group_id: str, data: MeetingIn, node: NodeDep, actor: ActorDep) -> MeetingOut:
    return node.acm.add_meeting(actor, group_id, data)


@router.patch("/meetings/{meeting_id}", response_model=MeetingOut)
def update_meeting(
    meeting_id: str, data: MeetingPatch, node: NodeDep, actor: ActorDep
) -> MeetingOut:
    return node.acm.update_meeting(actor, meeting_id, data)


@router.get("/groups/{group_id}/actions", response_model=list[ActionItemOut])
def list_actions(group_id: str, node: NodeDep, actor: ActorDep) -> list[ActionItemOut]:
    return node.acm.list_actions(actor, group_id)


@router.post("/groups/{group_id}/actions", response_model=ActionItemOut, status_code=201)
def add_action(group_id: str, data: ActionItemIn, node: NodeDep, actor: ActorDep) -> ActionItemOut:
    return node.acm.add_action(actor, group_id, data)


@router.patch("/actions/{item_id}", response_model=ActionItemOut)
def update_action(
    item_id: str, data: ActionItemPatch, node: NodeDep, actor: ActorDep
) -> ActionItemOut:
    return node.acm.update_action(actor, item_id, data)
