"""A joint plan on a nation's own detail plus the partner's released
aggregates equals the combined model's plan when the aggregates are exact,
and carries none of the partner's detail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alliance.industry import Model, load_model, solve
from alliance.industry.sovereign import aggregate, joint, own_part, shared_plan

DEMO = Path(__file__).parents[2] / "src" / "alliance" / "industry" / "data" / "demo.yaml"


def _combined() -> Model:
    m = load_model(DEMO)
    # Expansion options are not released: the partner's capacity is taken as it
    # stands, so the combined model for the comparison has none of JPN's.
    stocks = [s.model_copy(update={"nation": "USA" if "amraam" in s.item and n % 2 else "JPN" if n % 3 == 0 else "USA"})
              for n, s in enumerate(m.stocks)]  # fmt: skip
    return m.model_copy(
        update={
            "expansions": [e for e in m.expansions if e.nation != "JPN"],
            "stocks": stocks,
        }
    )


def test_the_joint_plan_on_exact_aggregates_is_the_combined_models_plan() -> None:
    combined = _combined()
    released = aggregate(combined, "JPN")
    usa_view = joint(own_part(combined, "USA"), [released])
    whole = solve(combined)
    seen = solve(usa_view)
    assert seen.weighted_shortfall == pytest.approx(whole.weighted_shortfall, rel=1e-9, abs=1e-6)
    assert seen.cost == pytest.approx(whole.cost, rel=1e-7)
    assert sorted((c.claimant, c.item) for c in seen.claimants) == sorted(
        (c.claimant, c.item) for c in whole.claimants
    )
    assert sum(c.delivered for c in seen.claimants) == pytest.approx(
        sum(c.delivered for c in whole.claimants), rel=1e-9
    )
    # And from JPN's side: USA's expansion options are USA's, not released, so
    # the model to compare with is the combined one without them.
    as_is = combined.model_copy(update={"expansions": []})
    jpn_view = joint(own_part(as_is, "JPN"), [aggregate(as_is, "USA")])
    jpn_seen, as_is_plan = solve(jpn_view), solve(as_is)
    assert jpn_seen.weighted_shortfall == pytest.approx(
        as_is_plan.weighted_shortfall, rel=1e-9, abs=1e-6
    )
    assert jpn_seen.cost == pytest.approx(as_is_plan.cost, rel=1e-7)


def test_what_is_released_names_no_site_line_supplier_or_per_site_cost() -> None:
    combined = _combined()
    released = aggregate(combined, "JPN").model_dump_json()
    for line in combined.lines:
        if line.nation == "JPN":
            assert line.id not in released
            assert line.site not in released
            assert line.name_en not in released
    for s in combined.suppliers:
        if s.nation == "JPN":
            assert s.id not in released
            assert s.name_en not in released
    usa_view = joint(own_part(combined, "USA"), [aggregate(combined, "JPN")])
    text = json.dumps(usa_view.model_dump(mode="json"), ensure_ascii=False)
    assert "licensed line K" not in text
    assert "JPN PAC-3 airframe supplier" not in text
    assert "(released aggregate)" in text


def test_aggregates_from_a_partners_own_detail_are_the_totals_per_item() -> None:
    combined = _combined()
    released = aggregate(combined, "JPN")
    pac3 = next(c for c in released.lines if c.item == "pac3")
    assert pac3.per_period[0] == pytest.approx(30 / 12)  # line K's 30 a year
    assert pac3.per_period[-1] == pytest.approx(60 / 12)  # from 2027-07
    energetics = next(c for c in released.supply if c.item == "energetics")
    assert energetics.per_period[0] == pytest.approx(400 / 12)
    assert {c.id for c in released.claimants} == {"jasdf-pac3", "jasdf-amraam"}


def test_the_shared_plan_sums_each_nations_lines_and_names_none_of_them() -> None:
    combined = _combined()
    usa_view = joint(own_part(combined, "USA"), [aggregate(combined, "JPN")])
    plan = solve(usa_view)
    shared = shared_plan(plan, usa_view)
    text = shared.model_dump_json()
    for x in (*usa_view.lines, *usa_view.suppliers):
        assert f'"{x.id}' not in text, x.id
        assert x.name_en not in text, x.name_en
    for x in usa_view.lines:
        assert x.site not in text, x.site
    for e in usa_view.expansions:
        assert e.id not in text
    # The same totals, per nation and item; the rest of the plan as it was.
    nation = {x.id: x.nation for x in usa_view.lines}
    totals: dict[str, float] = {}
    for s in plan.production:
        line, item = s.key.rsplit("/", 1)
        totals[f"{nation[line]}/{item}"] = totals.get(f"{nation[line]}/{item}", 0) + sum(s.values)
    assert {s.key: sum(s.values) for s in shared.production} == pytest.approx(totals)
    assert {k.split("/")[0] for k in totals} == {"JPN", "USA"}
    assert shared.deliveries == plan.deliveries
    assert shared.claimants == plan.claimants
    assert (shared.weighted_shortfall, shared.cost) == (plan.weighted_shortfall, plan.cost)
    assert len(shared.investments) == len(plan.investments)
    assert sum(i.capital_cost for i in shared.investments) == sum(
        i.capital_cost for i in plan.investments
    )
    if plan.bottlenecks:
        top = shared.bottlenecks[0]
        assert top.gain == max(b.gain for b in plan.bottlenecks)
        assert "(combined)" in top.text.en
        assert "（合計）" in top.text.ja
