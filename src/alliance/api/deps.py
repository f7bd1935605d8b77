"""Typed dependencies: the node, and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from alliance.core.authority import Actor, Role
from alliance.core.errors import Forbidden, Unauthenticated
from alliance.core.i18n import Text
from alliance.node import Node

_bearer = HTTPBearer(auto_error=False, description="API token printed by `alliance user add`")


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def current_actor(
    node: NodeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated(
            Text(
                "Send your API token as 'Authorization: Bearer <token>'.",
                "APIトークンを「Authorization: Bearer <トークン>」で送ってください。",
            ),
            code="no_token",
        )
    return node.users.authenticate(credentials.credentials)


ActorDep = Annotated[Actor, Depends(current_actor)]


def admin_actor(actor: ActorDep) -> Actor:
    if actor.role != Role.ADMIN:
        raise Forbidden(
            Text("Only a node administrator may do this.", "ノード管理者のみが実行できます。"),
            code="role_not_authorized",
        )
    return actor


AdminDep = Annotated[Actor, Depends(admin_actor)]
