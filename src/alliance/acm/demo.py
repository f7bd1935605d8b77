"""The ACM desk's demo content: fictional (the demo exercise, :data:`EXERCISE_NAME`).

JPN's items have their subject and title in Japanese too, as a JJOC staff
writes them; USA's are in English only, as the US writes them (a Japanese
console shows those in English)."""

from __future__ import annotations

from datetime import datetime, timedelta

from alliance.core.authority import Actor, Role
from alliance.core.exercise import EXERCISE_NAME
from alliance.core.models import MarkingIn

from .desk import AcmDesk
from .models import (
    ActionItemIn,
    Level,
    MeetingIn,
    Member,
    Priority,
    RequestIn,
    RequestKind,
    WorkingGroupIn,
)


def _actor(nation: str, hq_id: str, role: Role) -> Actor:
    return Actor(f"demo-{nation}-{role.value}", f"demo {nation} {role.value}", nation, hq_id, role)


def content(desk: AcmDesk, nation: str, now: datetime) -> None:
    """A few live items so the desk is not empty (JPN and USA demo nodes)."""
    both = MarkingIn(releasable_to=["JPN", "USA"])
    if nation == "JPN":
        staff = _actor("JPN", "jpn-jjoc", Role.STAFF_OFFICER)
        group = desk.create_group(
            staff,
            WorkingGroupIn(
                name_en="Bilateral Air and Missile Defense Working Group",
                name_ja="日米防空・ミサイル防衛作業部会",
                purpose=f"Exercise {EXERCISE_NAME} (fictional): integrated air defense coordination.",
                members=[
                    Member(nation="JPN", name="Tanaka Yui", role="J3", hq_id="jpn-jjoc"),
                    Member(nation="USA", name="Maj. Riley Chen", role="J3", hq_id="usa-jfhq"),
                ],
                marking=both,
            ),
        )
        desk.add_meeting(
            staff,
            group.id,
            MeetingIn(
                starts_at=now + timedelta(days=2),
                location="Yokota / 横田",
                agenda="1. Airspace 2. Patriot coverage 3. MSEL review",
            ),
        )
        desk.add_action(
            staff,
            group.id,
            ActionItemIn(
                title="Provide JASDF Patriot coverage overlay (exercise)",
                title_ja="空自ペトリオット防護範囲図の提供（演習）",
                assignee="JJOC J3",
                due=now + timedelta(days=5),
            ),
        )
        req = desk.create_request(
            staff,
            RequestIn(
                kind=RequestKind.ACTIVITY,
                level=Level.BOCC,
                from_hq_id="jpn-jjoc",
                to_hq_ids=["usa-jfhq"],
                subject=f"{EXERCISE_NAME}: bilateral air defense exercise window (fictional)",
                subject_ja=f"{EXERCISE_NAME}：日米防空訓練の実施期間（架空）",
                body="Propose exercise window and airspace reservation for the bilateral "
                "air defense serial. / 日米防空訓練の期間と空域調整を提案する。",
                priority=Priority.PRIORITY,
                due=now + timedelta(days=3),
                marking=both,
            ),
        )
        desk.send(staff, req.id)
    else:
        staff = _actor("USA", "usa-jfhq", Role.STAFF_OFFICER)
        req = desk.create_request(
            staff,
            RequestIn(
                kind=RequestKind.RFI,
                level=Level.BOCC,
                from_hq_id="usa-jfhq",
                to_hq_ids=["jpn-jjoc"],
                subject=f"{EXERCISE_NAME}: JSDF liaison cell composition (fictional)",
                body="Request JJOC liaison cell names and arrival DTG for the exercise.",
                priority=Priority.ROUTINE,
                due=now + timedelta(days=4),
                marking=both,
            ),
        )
        desk.send(staff, req.id)
