"""The optimizer on models whose optimum is worked out by hand."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from alliance.industry import Cancelled, Options, load_model, parse_model, solve
from alliance.industry.scenario import Open, Outage, Scale, Scenario, apply, compare
from alliance.industry.tables import plan_csv, plan_xlsx, write_tables

from .models import EXPANSION, hand, model

DEMO = Path(__file__).parents[2] / "src" / "alliance" / "industry" / "data" / "demo.yaml"


def _series(plan, name: str) -> dict[str, list[float]]:
    return {s.key: s.values for s in getattr(plan, name)}


def test_a_short_seeker_supply_leaves_exactly_the_shortfall_it_must() -> None:
    # 1 seeker a month for 3 months makes 3 missiles; 4 are due in March: 1 short
    # at the end of March (weight 1 × 1 period). Cost 3 × (10 + 5) = 45.
    plan = solve(model())
    assert plan.status == "optimal"
    assert plan.weighted_shortfall == pytest.approx(1.0, abs=1e-6)
    assert plan.cost == pytest.approx(45.0, abs=1e-3)
    assert _series(plan, "supply")["S"] == pytest.approx([1, 1, 1])
    assert _series(plan, "deliveries")["K/P"] == pytest.approx([0, 0, 3])  # nothing before due
    (short,) = plan.claimants
    assert (short.required, short.delivered, short.short_at_end) == (4, 3, 1)
    # The seeker supplier binds in every month: one more seeker in any of them
    # is one more missile in March, one unit less short.
    (bn,) = plan.bottlenecks
    assert (bn.kind, bn.id, bn.start, bn.end, bn.measure) == (
        "supplier",
        "S",
        "2026-01",
        "2026-03",
        "shortfall",
    )
    assert bn.gain == pytest.approx(1.0)
    assert "Seeker maker" in bn.text.en
    assert "シーカー製造" in bn.text.ja


def test_shortfall_comes_before_cost_an_expansion_is_bought_to_meet_the_need() -> None:
    # The cell costs 100 but adds a seeker a month from February: 5 seekers,
    # 4 missiles, no shortfall. Cost 100 + 4 × 15 = 160 (not 45 with one short).
    plan = solve(model(expansions=[EXPANSION]))
    assert plan.weighted_shortfall == pytest.approx(0.0, abs=1e-6)
    assert plan.cost == pytest.approx(160.0, abs=1e-3)
    (inv,) = plan.investments
    assert (inv.expansion, inv.decided, inv.online) == ("E", "2026-01", "2026-02")


def test_with_no_shortfall_at_stake_the_cheaper_plan_wins() -> None:
    # Only 3 due: the cell would buy nothing; cost 45, no investment.
    plan = solve(model(expansions=[EXPANSION], requirements=[
        {"claimant": "K", "item": "P", "due": "2026-03", "quantity": 3}
    ]))  # fmt: skip
    assert plan.weighted_shortfall == pytest.approx(0.0, abs=1e-6)
    assert plan.cost == pytest.approx(45.0, abs=1e-3)
    assert plan.investments == []
    assert plan.bottlenecks == [] or all(b.measure == "cost" for b in plan.bottlenecks)


def test_the_higher_priority_claimant_is_served_first() -> None:
    data = hand()
    data["claimants"].append(
        {"id": "A", "nation": "USA", "name_en": "Army", "name_ja": "陸軍", "priority": 3}
    )
    data["requirements"] = [
        {"claimant": "K", "item": "P", "due": "2026-03", "quantity": 2},
        {"claimant": "A", "item": "P", "due": "2026-03", "quantity": 2},
    ]
    plan = solve(parse_model(data))
    got = {(c.claimant, c.delivered) for c in plan.claimants}
    assert got == {("A", 2.0), ("K", 1.0)}
    assert plan.weighted_shortfall == pytest.approx(1.0, abs=1e-6)  # K's one, weight 1


def test_lead_times_ramp_up_and_outages_shape_what_is_delivered() -> None:
    # Seeker lead 1 month, missile lead 1 month: a seeker started in January is
    # in a missile started in February, finished in March. Over six months, 1 a
    # month: seekers Jan..Apr make missiles finished Mar..Jun: 4.
    data = hand(horizon={"start": "2026-01", "periods": 6})
    data["items"][0]["lead_time"] = 1
    data["items"][1]["lead_time"] = 1
    data["requirements"] = [{"claimant": "K", "item": "P", "due": "2026-06", "quantity": 10}]
    plan = solve(parse_model(data))
    (c,) = plan.claimants
    assert c.delivered == pytest.approx(4.0)
    # The line down in April and May: missile starts in Feb and Mar (finished
    # Mar, Apr), none in Apr or May, June's finish in July, after the horizon: 2.
    data["lines"][0]["outages"] = [{"start": "2026-04", "end": "2026-05"}]
    plan = solve(parse_model(data))
    assert _series(plan, "capacity")["line/L"] == pytest.approx([2, 2, 2, 0, 0, 2])
    (c,) = plan.claimants
    assert c.delivered == pytest.approx(2.0)
    # Opening in February with a ramp of a quarter, then half, of its rate.
    data["lines"][0].update(outages=[], opens="2026-02", ramp=[0.25, 0.5])
    plan = solve(parse_model(data))
    assert _series(plan, "capacity")["line/L"] == pytest.approx([0, 0.5, 1, 2, 2, 2])


def test_a_transfer_without_both_approvals_is_held_and_says_why() -> None:
    data = hand()
    data["claimants"].append(
        {"id": "X", "nation": "XXA", "name_en": "Partner X", "name_ja": "X国", "priority": 5,
         "transfer": {"approved_by": ["USA"], "export_cleared": True}}
    )  # fmt: skip
    data["requirements"].append({"claimant": "X", "item": "P", "due": "2026-03", "quantity": 2})
    plan = solve(parse_model(data))
    held = {c.claimant: c for c in plan.claimants}["X"]
    assert held.delivered == 0
    assert held.held is not None
    assert "JPN" in held.held.en
    assert "JPN" in held.held.ja
    # JASDF still gets what there is; the held transfer is not in the objective.
    assert {c.claimant: c.delivered for c in plan.claimants}["K"] == 3
    assert plan.weighted_shortfall == pytest.approx(1.0, abs=1e-6)
    data["claimants"][-1]["transfer"]["approved_by"] = ["USA", "JPN"]
    plan = solve(parse_model(data))
    assert {c.claimant: c.delivered for c in plan.claimants}["X"] == 2  # priority 5 first


def test_the_same_model_gives_the_same_plan_and_hash() -> None:
    m = load_model(DEMO)
    a, b = solve(m), solve(m)
    assert a.model_hash == b.model_hash == m.digest()
    strip = {"solve_s"}
    assert a.model_dump(exclude=strip) == b.model_dump(exclude=strip)
    other = parse_model(m.model_dump() | {"name_en": "Renamed"})
    assert other.digest() != m.digest()


def test_the_demo_model_is_solved_to_optimality_with_named_bottlenecks() -> None:
    m = load_model(DEMO)
    assert m.illustrative
    assert "fictional" in m.name_en
    plan = solve(m)
    assert plan.status == "optimal"
    assert plan.gap <= 1e-3
    assert len(plan.periods) == 84
    assert plan.bottlenecks
    assert plan.bottlenecks[0].id == "usa-pac3-seeker"  # the seeker, as the public reports say
    held = {c.claimant: c for c in plan.claimants}["partner-x"]
    assert held.delivered == 0
    assert held.held is not None


def test_cancel_stops_the_solve() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled) as err:
        solve(load_model(DEMO), cancel=cancel)
    assert err.value.message.ja


def test_csv_tables_round_trip_the_model(tmp_path: Path) -> None:
    m = load_model(DEMO)
    written = write_tables(m, tmp_path / "csv")
    assert {p.name for p in written} >= {"model.csv", "lines.csv", "requirements.csv"}
    again = load_model(tmp_path / "csv")
    assert again == m
    assert again.digest() == m.digest()


def test_a_plan_exports_as_csv_and_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    plan = solve(model())
    rows = plan_csv(plan).splitlines()
    assert rows[0] == "series,key,period,value"
    assert "deliveries,K/P,2026-03,3" in rows
    plan_xlsx(plan, tmp_path / "p.xlsx")
    wb = load_workbook(tmp_path / "p.xlsx")
    assert wb["deliveries"]["D2"].value == 3
    assert wb["bottlenecks"]["B2"].value == "S"
    assert "シーカー製造" in wb["bottlenecks"]["I2"].value


def test_scenarios_change_the_baseline_as_they_say() -> None:
    base = model()
    more = apply(base, Scenario(id="s", name_en="Seekers +100%", name_ja="シーカー倍増",
                                changes=[Scale(target="C", factor=2.0, start="2026-02")]))  # fmt: skip
    (s,) = more.suppliers
    assert [(c.start, c.rate_per_year) for c in s.changes] == [("2026-02", 24.0)]
    down = apply(base, Scenario(id="d", name_en="Line down", name_ja="停止",
                                changes=[Outage(line="L", start="2026-01", end="2026-01")]))  # fmt: skip
    opened = apply(base, Scenario(id="o", name_en="Line faster", name_ja="増強",
                                  changes=[Open(line="L", start="2026-03", rate_per_year=60)]))  # fmt: skip
    assert [(c.start, c.rate_per_year) for c in opened.lines[0].changes] == [("2026-03", 60.0)]
    # A line planned to open later opens when the scenario says.
    later = parse_model(hand(lines=[hand()["lines"][0] | {"opens": "2026-03"}]))
    sooner = apply(later, Scenario(id="o", name_en="Sooner", name_ja="前倒し",
                                   changes=[Open(line="L", start="2026-02", rate_per_year=24)]))  # fmt: skip
    assert sooner.lines[0].opens == "2026-02"
    assert [s.values for s in solve(sooner).capacity if s.key == "line/L"] == [[0, 2, 2]]
    plans = compare(base, [
        Scenario(id="more", name_en="Seekers +100%", name_ja="シーカー倍増", changes=[Scale(target="C", factor=2.0, start="2026-02")]),
        Scenario(id="down", name_en="Line down", name_ja="停止", changes=[Outage(line="L", start="2026-01", end="2026-01")]),
    ])  # fmt: skip
    assert list(plans) == ["baseline", "more", "down"]
    assert plans["baseline"].weighted_shortfall == pytest.approx(1.0, abs=1e-6)
    assert plans["more"].weighted_shortfall == pytest.approx(0.0, abs=1e-6)  # 1 + 2 + 2 seekers
    # Line down in January: starts in Feb and Mar only, 2 a month: still 3 made
    # (the seeker from January waits) — the shortfall is the seeker's, as before.
    assert plans["down"].weighted_shortfall == pytest.approx(1.0, abs=1e-6)
    assert down.lines[0].outages[0].start == "2026-01"


def test_a_time_limit_too_short_is_said_plainly() -> None:
    from alliance.industry.solver import TimedOut

    # Spent before the solver starts (reading and building take longer).
    with pytest.raises(TimedOut) as err:
        solve(load_model(DEMO), Options(time_limit_s=1e-9))
    assert "time limit" in err.value.message.en
    assert "制限時間" in err.value.message.ja
