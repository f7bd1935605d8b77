"""Health, node identity, the signed-in user, and time conversion."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from alliance import __version__
from alliance.core.authority import ROLE_NAMES, Actor
from alliance.core.markings import nation_names
from alliance.core.models import Moment, TimeOut
from alliance.node import Node
from alliance.org import HqRow
from alliance.store.ledger import count

from ..deps import ActorDep, NodeDep

router = APIRouter(tags=["node"])


@router.get("/healthz", summary="Liveness, no data / 死活確認")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


class NodeOut(BaseModel):
    node_id: str
    nation: str
    hosted: list[str]
    public_key: str
    fingerprint: str
    ledger_events: int
    version: str
    now: TimeOut


@router.get(
    "/node",
    response_model=NodeOut,
    summary="This node: nation, key, ledger size / このノードの情報",
)
def node_info(node: NodeDep, _actor: ActorDep) -> NodeOut:
    return NodeOut(
        node_id=node.node_id,
        nation=node.nation,
        hosted=sorted(node.settings.hosted_nations),
        public_key=node.key.public_hex,
        fingerprint=node.key.fingerprint,
        ledger_events=count(node.db),
        version=__version__,
        now=TimeOut.of(node.clock()),
    )


def identity(node: Node, actor: Actor) -> dict[str, Any]:
    """Who the actor is, as the console's header shows it: nation, HQ and role
    with their names in both languages (the HQ's from the org desk)."""
    with node.db.read() as s:
        hq = s.get(HqRow, actor.hq_id)
    hq_name = (
        {"en": hq.name_en, "ja": hq.name_ja, "short_en": hq.short_en, "short_ja": hq.short_ja}
        if hq is not None
        else {
            "en": actor.hq_id,
            "ja": actor.hq_id,
            "short_en": actor.hq_id,
            "short_ja": actor.hq_id,
        }
    )
    return {
        **actor.to_json(),
        "role_name": ROLE_NAMES[actor.role].as_dict(),
        "nation_name": nation_names(actor.nation).as_dict(),
        "hq_name": hq_name,
        "node_id": node.node_id,
    }


@router.get("/me", summary="Who you are acting as / 現在の利用者")
def me(actor: ActorDep, node: NodeDep) -> dict[str, Any]:
    return identity(node, actor)


@router.get(
    "/time",
    response_model=TimeOut,
    summary="A DTG or ISO time in Z, JST and HST / DTGをZ・JST・HSTで表示",
)
def convert_time(_actor: ActorDep, node: NodeDep, at: Moment | None = None) -> TimeOut:
    return TimeOut.of(at or node.clock())
