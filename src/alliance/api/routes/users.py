"""User administration (node administrators of the hosted nations)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from alliance.access import UserIn, UserOut

from ..deps import AdminDep, NodeDep

router = APIRouter(prefix="/users", tags=["users"])


class NewUserOut(BaseModel):
    user: UserOut
    token: str


@router.get("", response_model=list[UserOut], summary="List users / 利用者一覧")
def list_users(node: NodeDep, admin: AdminDep) -> list[UserOut]:
    return node.users.list(admin)


@router.post(
    "",
    response_model=NewUserOut,
    status_code=201,
    summary="Create a user; the token is shown once / 利用者作成（トークンは一度だけ表示）",
)
def add_user(data: UserIn, node: NodeDep, admin: AdminDep) -> NewUserOut:
    user, token = node.users.add(data, by=admin)
    return NewUserOut(user=user, token=token)


@router.post(
    "/{user_id}/disable", response_model=UserOut, summary="Disable a user / 利用者を無効化"
)
def disable_user(user_id: str, node: NodeDep, admin: AdminDep) -> UserOut:
    return node.users.disable(user_id, by=admin)
