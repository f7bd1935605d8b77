"""Typed dependencies: the node, and the authenticated actor (one rule for
every router: :func:`alliance.desks.current_actor`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from alliance.core.authority import Action, Actor, authorize_node
from alliance.desks import ActorDep
from alliance.node import Node


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def _may(action: Action) -> Callable[[Actor, Node], Actor]:
    """A dependency: the actor, if they may take ``action`` on the node (the rule
    is ``core.authority``'s)."""

    def check(actor: ActorDep, node: NodeDep) -> Actor:
        authorize_node(actor, action, hosted=node.ctx.hosted)
        return actor

    return check


__all__ = ["ActorDep", "AdminDep", "MonitorDep", "NodeDep", "get_node"]

AdminDep = Annotated[Actor, Depends(_may(Action.ADMINISTER))]
MonitorDep = Annotated[Actor, Depends(_may(Action.MONITOR))]
