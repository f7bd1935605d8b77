"""The plans desk's demo content: one FICTIONAL template plan of the demo
exercise (:data:`EXERCISE_NAME`), sourced from nothing real.

JPN leads: on the JPN node it writes the plan (phases, key events, decision
points, a branch) and JPN's lines. USA's lines are USA's own objects and are
written on the USA node: the demo adds them there when the plan is held
(it arrives through federation), once. ``alliance demo`` writes each node's
content before the nodes first exchange anything, so a fresh demo shows JPN's
lines; ``alliance demo --keep`` (run again on the same demo) adds USA's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from alliance.core.authority import Actor, Role
from alliance.core.exercise import EXERCISE_NAME, FICTIONAL
from alliance.core.models import MarkingIn

from .desk import PlansDesk
from .models import LineKind, Phase, PlanIn, PlanKind, PlanLineIn, PlanParticipant

TITLE = f"{EXERCISE_NAME} bilateral air defense template plan ({FICTIONAL})"


def _actor(nation: str, hq_id: str, role: Role) -> Actor:
    return Actor(f"demo-{nation}-{role.value}", f"demo {nation} {role.value}", nation, hq_id, role)


PHASES = [
    Phase.model_validate(
        {
            "id": "ph-1-prepare",
            "name": "Phase I: prepare",
            "name_ja": "第I段階：準備",
            "starts": "D-7",
            "ends": "D-1",
            "events": [
                {"title": "Bilateral rehearsal", "title_ja": "日米予行", "at": "D-3"},
            ],
            "decision_points": [
                {
                    "id": "dp-1-deploy",
                    "title": "DP1: deploy air defense units",
                    "title_ja": "決心点1：防空部隊の展開",
                    "criteria": "Exercise airspace reserved (fictional).",
                    "criteria_ja": "演習空域が確保されていること（架空）。",
                }
            ],
        }
    ),
    Phase.model_validate(
        {
            "id": "ph-2-execute",
            "name": "Phase II: execute",
            "name_ja": "第II段階：実施",
            "starts": "D-day",
            "ends": "D+3",
            "events": [
                {
                    "title": "Simulated raid (inject)",
                    "title_ja": "模擬経空脅威（状況付与）",
                    "at": "D+1",
                }
            ],
            "branches": [
                {
                    "id": "br-1-weather",
                    "title": "Branch: weather hold",
                    "title_ja": "分岐：天候による中断",
                    "condition": "Ceiling below minimums (fictional).",
                    "condition_ja": "雲高が基準未満の場合（架空）。",
                }
            ],
        }
    ),
]


def content(desk: PlansDesk, nation: str, now: datetime) -> None:
    """JPN's plan and lines on the JPN node; USA's lines where the plan is held."""
    if nation == "JPN":
        cdr = _actor("JPN", "jpn-jjoc", Role.COMMANDER)
        plan = desk.create_plan(
            cdr,
            PlanIn(
                kind=PlanKind.TEMPLATE,
                title=TITLE,
                title_ja=f"{EXERCISE_NAME} 日米防空ひな型計画（{FICTIONAL}・架空）",
                purpose="Train bilateral air defense coordination (fictional template).",
                purpose_ja="日米の防空調整を訓練する（架空のひな型）。",
                hq_id="jpn-jjoc",
                participants=[
                    PlanParticipant(nation="JPN", hq_id="jpn-jjoc"),
                    PlanParticipant(nation="USA", hq_id="usa-jfhq"),
                ],
                phases=PHASES,
                marking=MarkingIn(releasable_to=["USA"]),
            ),
        )
        desk.add_line(
            cdr,
            plan.id,
            PlanLineIn(
                kind=LineKind.TASK,
                component="air",
                phase_id="ph-2-execute",
                title="Air defense sector coverage (exercise)",
                title_ja="防空区域の警戒（演習）",
                detail="Fictional tasking for the demo exercise.",
                detail_ja="演習用の架空の任務。",
                coordination="Shared air picture with USA 5AF.",
                coordination_ja="米第5空軍との航空情報の共有。",
                unit_ids=["jpn-2aw"],
                due=now + timedelta(days=8),
            ),
        )
        desk.add_line(
            cdr,
            plan.id,
            PlanLineIn(
                kind=LineKind.EFFORT,
                component="joint",
                phase_id="ph-1-prepare",
                title="Liaison and airspace coordination",
                title_ja="連絡及び空域調整",
            ),
        )
        return
    held = [p for p in desk.list_plans(_actor(nation, "usa-jfhq", Role.VIEWER)) if p.title == TITLE]
    if nation != "USA" or not held or any(line.owner == "USA" for line in held[0].lines):
        return
    cdr = _actor("USA", "usa-jfhq", Role.COMMANDER)
    desk.add_line(
        cdr,
        held[0].id,
        PlanLineIn(
            kind=LineKind.TASK,
            component="air",
            phase_id="ph-2-execute",
            title="Fighter support to the raid serial (exercise)",
            title_ja="模擬経空脅威対処への戦闘機支援（演習）",
            coordination="Deconflict with JASDF sectors.",
            coordination_ja="空自の警戒区域との調整。",
            unit_ids=["usa-35fw"],
            due=now + timedelta(days=8),
        ),
    )


__all__ = ["TITLE", "content"]
