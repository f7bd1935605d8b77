"""The airspace desk's demo content: FICTIONAL coordination measures of the
exercise (:data:`EXERCISE_NAME`) over open sea south of Shikoku, sourced from
nothing real.

JPN proposes a training area released to the USA (its purpose kept national)
and a national-only restricted operations zone; the USA proposes an unmanned
aircraft operating volume, released to JPN, that overlaps the training area.
Each node writes only its own nation's measures; once the partner's arrive by
federation, each node sees the conflict and the nation that changed its
measure last opens the coordination request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from alliance.core.authority import Actor, Role
from alliance.core.exercise import EXERCISE_NAME, FICTIONAL

from .desk import AirspaceDesk
from .models import MeasureIn

HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}
PARTNER = {"JPN": "USA", "USA": "JPN"}


def _measure(
    nation: str, designator: str, kind: str, footprint: dict[str, Any], altitude: dict[str, Any],
    start: datetime, end: datetime, *, released: bool, name: str, name_ja: str,
) -> MeasureIn:  # fmt: skip
    return MeasureIn.model_validate(
        {
            "designator": designator,
            "kind": kind,
            "volume": {
                "footprint": footprint,
                "altitude": altitude,
                "window": {"start": start.isoformat(), "end": end.isoformat()},
            },
            "name": f"{EXERCISE_NAME}: {name} ({FICTIONAL})",
            "name_ja": f"{EXERCISE_NAME}: {name_ja}（架空）",
            "purpose": "Exercise content; no real airspace. / 演習用の内容であり実在の空域ではありません。",
            "marking": {"releasable_to": [PARTNER[nation]] if released else []},
        }
    )


def content(desk: AirspaceDesk, nation: str, now: datetime) -> None:
    if nation not in HQ:
        return
    cdr = Actor(
        f"demo-{nation.lower()}-airspace",
        f"{nation} demo planner",
        nation,
        HQ[nation],
        Role.COMMANDER,
    )
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    end = start + timedelta(hours=8)
    msl = {"lower": 0, "lower_datum": "MSL", "upper": 10_000, "upper_datum": "MSL"}
    if nation == "JPN":
        desk.propose(
            cdr,
            _measure(
                nation, "TA EX-SHIKOKU", "training_area",
                {"shape": "polygon", "coordinates": [[134.0, 32.0], [134.6, 32.0], [134.6, 32.4], [134.0, 32.4]]},
                msl, start, end, released=True, name="air defence training area",
                name_ja="防空訓練空域",
            ),
        )  # fmt: skip
        desk.propose(
            cdr,
            _measure(
                nation, "ROZ EX-KII", "roz",
                {"shape": "circle", "center": [135.6, 33.0], "radius_m": 9_260},
                {"lower": 0, "lower_datum": "MSL", "upper": 180, "upper_datum": "FL"},
                start, end, released=False, name="restricted operations zone",
                name_ja="運用制限区域",
            ),
        )  # fmt: skip
    else:
        desk.propose(
            cdr,
            _measure(
                nation, "UAS EX-OPVOL", "uas_volume",
                {"shape": "circle", "center": [134.5, 32.3], "radius_m": 15_000},
                {"lower": 0, "lower_datum": "MSL", "upper": 100, "upper_datum": "FL"},
                start + timedelta(hours=1), end, released=True,
                name="unmanned aircraft operating volume", name_ja="無人機運用空域",
            ),
        )  # fmt: skip
