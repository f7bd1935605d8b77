"""The exercise desk's demo content: a fictional command post exercise of the
demo exercise (:data:`~alliance.core.exercise.EXERCISE_NAME`), led by JPN with
USA, with training objectives and an MSEL ready to run.

Everything here is FICTIONAL: no real exercise, unit activity or event. The
clock is set for a rehearsal (10×: an hour of exercise time in six real
minutes), waiting for a controller to start it from the console. The demo's
JPN users get roles in the exercise (the commander owns it; the staff officer
edits, approves, controls and evaluates; the viewer reads); USA's commander
gives USA's people theirs once the exercise has reached the USA node.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from alliance.core.authority import Actor, Role
from alliance.core.exercise import EXERCISE_NAME, FICTIONAL
from alliance.core.models import MarkingIn
from alliance.store.schema.access import UserRow

from .desk import ExerciseDesk
from .models import (
    ExerciseIn,
    ExerciseRole,
    InjectIn,
    Method,
    ObjectiveIn,
    Participant,
    RoleIn,
)

EXERCISE_ID = "paper-abacus-cpx"
BOTH = MarkingIn(releasable_to=["USA"])

_OBJECTIVES = [
    (
        "TO-1",
        "Establish a shared common operational picture within one hour",
        "1時間以内に共通作戦状況図を共有する",
    ),
    (
        "TO-2",
        "Answer partner coordination requests through the BOCC within the suspense",
        "相手国の調整要請に期限内にBOCCを通じて回答する",
    ),
    (
        "TO-3",
        "Hand over air and missile defense responsibility between the two air components",
        "両国の航空部隊間で防空・ミサイル防衛の担当を引き継ぐ",
    ),
]

# (serial, H+, addressee, method, released to USA, description en, ja, expected, objectives)
_MSEL = [
    (
        "JPN-001",
        "H+00:02",
        "jpn-jjoc",
        Method.MESSAGE,
        False,
        "STARTEX. Exercise control announces the scenario (FICTIONAL).",
        "状況開始。演習統制部がシナリオを通知（架空）。",
        "Acknowledge; stand up the crisis action team.",
        ["TO-1"],
    ),
    (
        "JPN-002",
        "H+00:05",
        "usa-jfhq",
        Method.EMAIL,
        True,
        "A fishing vessel reports an unidentified drone near the exercise area (FICTIONAL).",
        "漁船が演習区域付近で所属不明のドローンを報告（架空）。",
        "Share the report on the COP; request identification support.",
        ["TO-1"],
    ),
    (
        "JPN-003",
        "H+00:10",
        "usa-jfhq",
        Method.CHAT,
        True,
        "JJOC requests USA's airspace plan for the air defense serial (FICTIONAL).",
        "統合作戦司令部が防空訓練の空域計画を米側に要請（架空）。",
        "Answer the coordination request through the BOCC.",
        ["TO-2"],
    ),
    (
        "JPN-004",
        "H+00:15",
        "jpn-jjoc",
        Method.PHONE,
        False,
        "National-only: JASDF reports a radar site degraded for four hours (FICTIONAL).",
        "自国限り：空自レーダーサイトが4時間機能低下（架空）。",
        "Decide whether to ask the partner for coverage.",
        ["TO-3"],
    ),
    (
        "JPN-005",
        "H+00:20",
        "usa-jfhq",
        Method.MESSAGE,
        True,
        "Simulated higher HQ orders a hand-over of the air defense sector (FICTIONAL).",
        "上級司令部（模擬）が防空区域の引継ぎを命令（架空）。",
        "Coordinate the hand-over time and record it in the ACM.",
        ["TO-3"],
    ),
    (
        "JPN-006",
        "H+00:30",
        "jpn-jjoc",
        Method.COP,
        True,
        "A track of interest appears on the COP heading for the exercise area (FICTIONAL).",
        "関心航跡が演習区域へ向かう形でCOPに表示（架空）。",
        "Identify and share; notify the partner.",
        ["TO-1"],
    ),
    (
        "JPN-007",
        "H+00:45",
        "usa-jfhq",
        Method.RADIO,
        True,
        "Radio relay reports loss of link with a partner liaison team (FICTIONAL).",
        "無線中継で相手国連絡班との通信途絶を報告（架空）。",
        "Restore contact through the alternate means.",
        ["TO-2"],
    ),
    (
        "JPN-008",
        "H+01:00",
        "jpn-jjoc",
        Method.MESSAGE,
        True,
        "ENDEX warning order (FICTIONAL).",
        "状況終了予告（架空）。",
        "Prepare the hot wash-up.",
        [],
    ),
]


def _actor(user: UserRow) -> Actor:
    return Actor(user.id, user.name, user.nation, user.hq_id, Role(user.role))


def content(desk: ExerciseDesk, nation: str, now: datetime) -> None:
    if nation != "JPN":
        return
    with desk.ctx.db.read() as s:
        users = list(s.scalars(select(UserRow).where(UserRow.nation == "JPN")))
    by_role = {Role(u.role): u for u in users if u.hq_id == "jpn-jjoc"}
    staff_user = by_role.get(Role.STAFF_OFFICER)
    commander_user = by_role.get(Role.COMMANDER)
    if staff_user is None or commander_user is None:
        return
    staff, commander = _actor(staff_user), _actor(commander_user)
    h_hour = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    ex = desk.create_exercise(
        commander,
        ExerciseIn(
            id=EXERCISE_ID,
            name=f"{EXERCISE_NAME} command post exercise ({FICTIONAL})",
            name_ja=f"{EXERCISE_NAME} 指揮所演習（架空）",
            description="A fictional bilateral command post exercise for the demo.",
            description_ja="デモ用の架空の日米指揮所演習。",
            participants=[
                Participant(nation="JPN", hq_id="jpn-jjoc"),
                Participant(nation="USA", hq_id="usa-jfhq"),
            ],
            h_hour=h_hour,
            clock_speed=10.0,
            marking=BOTH,
        ),
    )
    for role in (
        ExerciseRole.EDITOR,
        ExerciseRole.APPROVER,
        ExerciseRole.CONTROLLER,
        ExerciseRole.EVALUATOR,
    ):
        desk.assign_role(commander, ex.id, RoleIn(user_id=staff.user_id, role=role))
    viewer = by_role.get(Role.VIEWER)
    if viewer is not None:
        desk.assign_role(commander, ex.id, RoleIn(user_id=viewer.id, role=ExerciseRole.VIEWER))
    codes = {}
    for code, title, title_ja in _OBJECTIVES:
        codes[code] = desk.create_objective(
            staff, ex.id, ObjectiveIn(code=code, title=title, title_ja=title_ja, marking=BOTH)
        ).id
    for serial, h_plus, hq, method, shared, text, text_ja, expected, objectives in _MSEL:
        inject = desk.create_inject(
            staff,
            ex.id,
            InjectIn(
                serial=serial,
                h_plus=h_plus,
                sender="EXCON (simulated higher HQ) / 演習統制部（上級司令部模擬）",
                addressee_hq_id=hq,
                method=method,
                description=text,
                description_ja=text_ja,
                expected_action=expected,
                objective_ids=[codes[c] for c in objectives],
                controller="JJOC J7 EXCON",
                marking=BOTH if shared else MarkingIn(),
            ),
        )
        if serial != "JPN-008":  # one row left in draft, for the approver
            desk.approve_inject(staff, inject.id)
