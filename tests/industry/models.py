"""Small models whose optimum is known by hand."""

from __future__ import annotations

import copy
from typing import Any

from alliance.industry import Model, parse_model


def hand(**changes: Any) -> dict[str, Any]:
    """One missile P made of one seeker C; line L 2 a month, supplier S 1 a
    month (12 a year), three monthly periods from 2026-01; the JASDF needs 4
    by the end of March. Unit costs: 10 on the line, 5 for a seeker."""
    data: dict[str, Any] = {
        "name_en": "Hand model",
        "name_ja": "手計算モデル",
        "horizon": {"start": "2026-01", "periods": 3},
        "items": [
            {"id": "P", "name_en": "Missile", "name_ja": "ミサイル", "kind": "product"},
            {"id": "C", "name_en": "Seeker", "name_ja": "シーカー", "kind": "component"},
        ],
        "bom": [{"parent": "P", "child": "C", "quantity": 1}],
        "lines": [
            {
                "id": "L", "nation": "JPN", "site": "S1", "name_en": "Line L", "name_ja": "ラインL",
                "items": ["P"], "rate_per_year": 24, "unit_cost": {"P": 10},
            }
        ],
        "suppliers": [
            {
                "id": "S", "nation": "USA", "name_en": "Seeker maker", "name_ja": "シーカー製造",
                "item": "C", "rate_per_year": 12, "unit_cost": 5,
            }
        ],
        "claimants": [{"id": "K", "nation": "JPN", "name_en": "JASDF", "name_ja": "航空自衛隊"}],
        "requirements": [{"claimant": "K", "item": "P", "due": "2026-03", "quantity": 4}],
    }  # fmt: skip
    data = copy.deepcopy(data)
    data.update(changes)
    return data


EXPANSION = {
    "id": "E", "nation": "USA", "name_en": "Second seeker cell", "name_ja": "第2セル",
    "target": "S", "added_rate_per_year": 12, "capital_cost": 100, "lead_time": 1,
}  # fmt: skip


def model(**changes: Any) -> Model:
    return parse_model(hand(**changes))


def own(nation: str, **changes: Any) -> dict[str, Any]:
    """:func:`hand` as one nation's own dataset: its line, its seeker supplier
    and its claimant, with ids of its own (so that two nations' datasets join
    without their claimants merging)."""
    data = hand(**changes)
    tag = nation.lower()
    for part in ("lines", "suppliers", "expansions", "claimants"):
        for row in data.get(part, []):
            row["nation"] = nation
            row["id"] = f"{row['id']}-{tag}"
    for row in data.get("expansions", []):
        row["target"] = f"{row['target']}-{tag}"
    for row in data.get("requirements", []):
        row["claimant"] = f"{row['claimant']}-{tag}"
    return data
