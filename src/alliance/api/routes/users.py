"""User administration (node administrators of the hosted nations)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints

from alliance.access import UserIn, UserOut
from alliance.core import limits
from alliance.core.models import Strict
from alliance.core.text import NAME_CHARS

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


class SetPasswordIn(Strict):
    # The rules (length; a username's letters) are the node's, as for
    # 'alliance user passwd', said in both languages.
    password: Annotated[str, StringConstraints(min_length=1, max_length=1000), NAME_CHARS]
    username: (
        Annotated[
            str,
            StringConstraints(min_length=1, max_length=limits.LABEL, strip_whitespace=True),
            NAME_CHARS,
        ]
        | None
    ) = None


class PasswordSet(BaseModel):
    user_id: str
    username: str


@router.put(
    "/{user_id}/password",
    response_model=PasswordSet,
    summary="Set a user's console password and username; unlocks, ends their sessions / "
    "利用者のパスワードと利用者名を設定（ロック解除、セッション終了）",
)
def set_password(user_id: str, data: SetPasswordIn, node: NodeDep, admin: AdminDep) -> PasswordSet:
    uid, name = node.signin.set_password(user_id, data.password, username=data.username, by=admin)
    node.live.close_user(uid, "signed_out")  # its streams reconnect only with a live credential
    return PasswordSet(user_id=uid, username=name)
