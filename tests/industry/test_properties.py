"""Properties of the optimizer on random small models: every plan passes an
independent check of the model's rules, and more capacity never makes the
optimal shortfall worse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.industry import load_model, parse_model, solve
from alliance.industry.scenario import Scale, Scenario, apply

from .models import hand
from .verify import verify

DEMO = Path(__file__).parents[2] / "src" / "alliance" / "industry" / "data" / "demo.yaml"


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    periods = draw(st.integers(3, 9))
    data = hand(horizon={"start": "2026-01", "periods": periods})
    data["items"][0]["lead_time"] = draw(st.integers(0, 2))
    data["items"][1]["lead_time"] = draw(st.integers(0, 2))
    data["bom"][0]["quantity"] = draw(st.sampled_from([1, 2]))
    data["lines"][0]["rate_per_year"] = draw(st.sampled_from([0, 12, 24, 36]))
    data["suppliers"][0]["rate_per_year"] = draw(st.sampled_from([6, 12, 24, 48]))
    if draw(st.booleans()):
        data["lines"][0]["outages"] = [
            {"start": "2026-02", "end": "2026-03", "fraction": draw(st.sampled_from([0.5, 1.0]))}
        ]
    data["stocks"] = [{"item": "C", "quantity": draw(st.integers(0, 4))}]
    data["claimants"].append(
        {
            "id": "A",
            "nation": "USA",
            "name_en": "Army",
            "name_ja": "陸軍",
            "priority": draw(st.sampled_from([1, 2, 5])),
        }
    )
    data["requirements"] = [
        {"claimant": draw(st.sampled_from(["K", "A"])), "item": "P", "due": f"2026-{draw(st.integers(1, periods)):02d}", "quantity": draw(st.integers(1, 6))}
        for _ in range(draw(st.integers(1, 4)))
    ]  # fmt: skip
    if draw(st.booleans()):
        data["expansions"] = [{"id": "E", "nation": "USA", "name_en": "Cell", "name_ja": "セル", "target": "S",
                               "added_rate_per_year": 12, "capital_cost": draw(st.sampled_from([1, 1000])), "lead_time": 1}]  # fmt: skip
    return data


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(models())
def test_every_plan_keeps_the_models_rules_and_more_capacity_never_hurts(
    data: dict[str, Any],
) -> None:
    model = parse_model(data)
    plan = solve(model)
    assert plan.status == "optimal"
    verify(model, plan)
    more = apply(
        model,
        Scenario(
            id="more",
            name_en="More",
            name_ja="増",
            changes=[Scale(target="S", factor=1.5, start="2026-01")],
        ),
    )
    better = solve(more)
    verify(more, better)
    assert better.weighted_shortfall <= plan.weighted_shortfall + 1e-6


def test_the_demo_plan_keeps_every_rule() -> None:
    model = load_model(DEMO)
    verify(model, solve(model))
