"""A fictional after-action report built in code, for the AAR renderer tests.

Everything here is invented: the exercise is the demo's fictional one, the
HQs are the two coordination HQs by role, the people are placeholders.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alliance.core import release
from alliance.core.exercise import EXERCISE_NAME
from alliance.exercise.aar import (
    EvaluationLine,
    ExerciseInfo,
    InjectLine,
    ObjectiveLine,
    ObservationLine,
    Participant,
    Report,
)

H = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)  # H-hour, exercise time
REAL0 = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)  # the real moment the clock started
SPEED = 60.0  # a rehearsal: one real second is one exercise minute
SCRIPT = '<script>alert("aar")</script>'


def _real(minutes_after_h: float) -> datetime:
    """The real moment exercise time H+minutes came on the 60x clock."""
    return REAL0 + timedelta(seconds=minutes_after_h * 60 / SPEED)


def exercise() -> ExerciseInfo:
    return ExerciseInfo(
        name=EXERCISE_NAME,
        name_ja="ペーパー・アバカス26",
        fictional=True,
        participants=(
            Participant(nation="JPN", hq_id="jjoc", hq_name="JJOC", hq_name_ja="統合作戦司令部"),
            Participant(
                nation="USA", hq_id="us-jfhq", hq_name="US JFHQ", hq_name_ja="在日米統合軍司令部"
            ),
        ),
        h_hour=H,
        clock_speed=SPEED,
        start=REAL0,
        end=REAL0 + timedelta(minutes=3),
    )


def report(reader: str = "JPN") -> Report:
    """Three injects (on time, late, not yet delivered), responses, ratings."""
    injects = (
        InjectLine(
            serial="PA-001",
            owner="JPN",
            addressee_hq_id="us-jfhq",
            method="email",
            description="Simulated typhoon closes the notional port; request airlift support.",
            description_ja="架空の台風により演習上の港湾が閉鎖。空輸支援を要請せよ。",
            due_ex=H + timedelta(minutes=10),
            due_at=_real(10),
            delivered_at=_real(10) + timedelta(milliseconds=40),
            objective_codes=("TO-1",),
        ),
        InjectLine(
            serial="PA-002",
            owner="USA",
            addressee_hq_id="jjoc",
            method="phone",
            description=f"Notional cyber precursor observed {SCRIPT} & report it",
            description_ja="能動的サイバー防御：前兆活動を検知（架空）",
            due_ex=H + timedelta(minutes=40),
            due_at=_real(40),
            delivered_at=_real(40) + timedelta(seconds=12),
            objective_codes=("TO-2",),
        ),
        InjectLine(
            serial="PA-003",
            owner="JPN",
            addressee_hq_id="jjoc",
            method="chat",
            description="Hand-over of the notional search area to the partner HQ.",
            description_ja="演習上の捜索区域を相手司令部へ引き継げ。",
            due_ex=H + timedelta(minutes=90),
        ),
    )
    observations = (
        ObservationLine(
            serial="PA-001",
            player_hq_id="us-jfhq",
            observed_at=_real(25),
            observed_ex=H + timedelta(minutes=25),
            response="Airlift request coordinated through the ACM within 15 minutes.",
            response_ja="同盟調整メカニズムを通じ15分以内に空輸要請を調整した。",
            author="Controller A",
        ),
        ObservationLine(
            serial="PA-002",
            player_hq_id="jjoc",
            observed_at=_real(70),
            response="Precursor shared as STIX; partner notified late.",
            response_ja="前兆情報をSTIXで共有したが、相手国への通報が遅れた。",
            author="統制官B",
        ),
    )
    evaluations = (
        EvaluationLine(
            objective_code="TO-1",
            rating="T",
            comment="Met the standard.",
            comment_ja="基準を満たした。",
            evaluator="Evaluator C",
            serial="PA-001",
        ),
        EvaluationLine(
            objective_code="TO-2",
            rating="T",
            comment="Detection was timely.",
            comment_ja="検知は適時であった。",
            evaluator="Evaluator C",
            serial="PA-002",
        ),
        EvaluationLine(
            objective_code="TO-2",
            rating="P",
            comment="Notification to the partner exceeded the time standard.",
            comment_ja="相手国への通報が時間基準を超過した。",
            evaluator="評価官D",
            serial="PA-002",
        ),
    )
    objectives = (
        ObjectiveLine(
            code="TO-1",
            title="Coordinate bilateral logistics support",
            title_ja="日米共同の後方支援を調整する",
            owner="JPN",
        ),
        ObjectiveLine(
            code="TO-2",
            title="Share cyber precursors with the partner",
            title_ja="サイバー攻撃の前兆情報を共有する",
            owner="USA",
        ),
        ObjectiveLine(
            code="TO-3",
            title="Hand over a search area",
            title_ja="捜索区域を引き継ぐ",
            owner="JPN",
        ),
    )
    return Report(
        exercise=exercise(),
        reader=reader,
        banner=release.marks(frozenset({"JPN", "USA"}), reader).banner,
        generated_at=REAL0 + timedelta(hours=2),
        objectives=objectives,
        injects=injects,
        observations=observations,
        evaluations=evaluations,
    )


def empty_report() -> Report:
    """An exercise with nothing in its MSEL yet."""
    return Report(
        exercise=exercise(),
        reader="USA",
        banner=release.marks(frozenset({"USA"}), "USA").banner,
        generated_at=REAL0,
    )
