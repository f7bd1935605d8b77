"""Typed dependencies: the node, and the authenticated actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from alliance.core.authority import Action, Actor, authorize_node
from alliance.core.errors import Unauthenticated
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


def _may(action: Action) -> Callable[[Actor, Node], Actor]:
    """A dependency: the actor, if they may take ``action`` on the node (the rule
    is ``core.authority``'s)."""

    def check(actor: ActorDep, node: NodeDep) -> Actor:
        authorize_node(actor, action, hosted=node.ctx.hosted)
        return actor

    return check


AdminDep = Annotated[Actor, Depends(_may(Action.ADMINISTER))]
MonitorDep = Annotated[Actor, Depends(_may(Action.MONITOR))]
