"""Typed dependencies: the node, and the authenticated actor (one rule for
every router: :func:`alliance.desks.current_actor`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from alliance.core.authority import Action, Actor, require_role
from alliance.core.i18n import Text
from alliance.desks import ActorDep
from alliance.node import Node


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


_THIS_NODE = Text("this node", "このノード")


def _may(action: Action) -> Callable[[Actor], Actor]:
    """A dependency: the actor, if their role may take ``action`` on the node
    (the rule is ``core.authority``'s)."""

    def check(actor: ActorDep) -> Actor:
        require_role(actor, action, _THIS_NODE)
        return actor

    return check


__all__ = ["ActorDep", "AdminDep", "MonitorDep", "NodeDep", "get_node"]

AdminDep = Annotated[Actor, Depends(_may(Action.ADMINISTER))]
MonitorDep = Annotated[Actor, Depends(_may(Action.MONITOR))]
