"""Shared pieces of the plans tests: the cast, a bilateral plan, its lines."""

from __future__ import annotations

from alliance.core.authority import Actor
from alliance.core.models import MarkingIn
from alliance.node import Node
from alliance.plans import (
    LineKind,
    Phase,
    PlanIn,
    PlanKind,
    PlanLineIn,
    PlanLineOut,
    PlanOut,
    PlanParticipant,
    PlansDesk,
)
from tests.conftest import add_people

JPN_UNIT = "jpn-2aw"
USA_UNIT = "usa-35fw"


def people(node: Node) -> dict[str, Actor]:
    cast = add_people(node)
    return {key: node.users.authenticate(token) for key, token in cast.tokens.items()}


def plans(node: Node) -> PlansDesk:
    return node.desk("plans", PlansDesk)


PHASES = [
    Phase.model_validate(
        {
            "id": "ph-1",
            "name": "Phase I: deploy",
            "name_ja": "第I段階：展開",
            "starts": "D-3",
            "ends": "D-1",
            "events": [{"title": "Rehearsal", "title_ja": "予行", "at": "D-2"}],
            "decision_points": [
                {"id": "dp-1", "title": "DP1: commit", "title_ja": "決心点1：投入"}
            ],
        }
    ),
    Phase.model_validate(
        {
            "id": "ph-2",
            "name": "Phase II: exercise",
            "name_ja": "第II段階：訓練",
            "branches": [{"id": "br-1", "title": "Weather hold", "title_ja": "天候による中断"}],
        }
    ),
]


def bilateral_plan(node: Node, lead: Actor) -> PlanOut:
    return plans(node).create_plan(
        lead,
        PlanIn(
            kind=PlanKind.EXERCISE,
            title="Bilateral air defense exercise plan",
            title_ja="日米防空訓練計画",
            hq_id="jpn-jjoc",
            participants=[
                PlanParticipant(nation="JPN", hq_id="jpn-jjoc"),
                PlanParticipant(nation="USA", hq_id="usa-jfhq"),
            ],
            phases=PHASES,
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )


def task_line(node: Node, actor: Actor, plan_id: str, unit: str, title: str) -> PlanLineOut:
    return plans(node).add_line(
        actor,
        plan_id,
        PlanLineIn(
            kind=LineKind.TASK,
            component="air",
            phase_id="ph-2",
            title=title,
            title_ja=f"{title}（日本語）",
            detail="Exercise tasking.",
            coordination="Share the air picture.",
            coordination_ja="航空情報を共有する。",
            unit_ids=[unit],
        ),
    )
