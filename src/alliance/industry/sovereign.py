"""Sovereignty in the model: each nation's lines, suppliers, costs and
expansion options are its own; a partner plans jointly on its own detail plus
what the other nation *released*: aggregates per period — finished-item
capacity per item (all its lines summed, ramp-ups and outages in), component
supply per item (all its suppliers summed, with their lead time), its stocks
per item, the average unit cost of each, and its claimants' requirements.
Site names, line and supplier ids, per-site costs and expansion options stay
home.

When the aggregates are exact — the nation's lines for an item are
interchangeable (same cost), its suppliers of an item share a lead time — the
joint plan equals the plan of the combined model: the same shortfall, the same
cost, the same deliveries. (Expansion options are not released: a joint plan
takes the partner's capacity as it stands.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from pydantic import BaseModel

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text

from .model import Calendar, Claimant, Line, Model, RateChange, Requirement, Stock, Supplier
from .plan import Bottleneck, Plan, Series
from .program import line_capacity, rates
from .results import bottleneck_text, summary_of


class Capacity(BaseModel):
    item: str
    per_period: list[float]  # units per period of the horizon
    unit_cost: float
    lead_time: int | None = None  # suppliers only


class Aggregate(BaseModel):
    """What one nation releases of its industrial data for a joint plan."""

    nation: str
    horizon_start: str
    periods: list[str]
    lines: list[Capacity]
    supply: list[Capacity]
    stocks: dict[str, float]
    claimants: list[Claimant]
    requirements: list[Requirement]


def aggregate(model: Model, nation: str) -> Aggregate:
    """``nation``'s part of ``model`` as the aggregates it would release."""
    cal = Calendar.of(model.horizon)
    base = line_capacity(model, cal)
    lines: dict[str, list[float]] = defaultdict(lambda: [0.0] * cal.periods)
    line_cost: dict[str, list[float]] = defaultdict(list)
    for line in model.lines:
        if line.nation != nation:
            continue
        if len(line.items) != 1:
            raise InvalidInput(
                Text(
                    f"line '{line.id}' makes {len(line.items)} items: its capacity cannot be "
                    "released per item without saying how it is shared",
                    f"ライン「{line.id}」は{len(line.items)}品目を製造するため、品目別の能力として"
                    "提供できません",
                ),
                field="lines",
            )
        (item,) = line.items
        for t, v in enumerate(base[line.id]):
            lines[item][t] += v
        line_cost[item].append(line.unit_cost.get(item, 0.0))
    supply: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0] * cal.periods)
    supply_cost: dict[tuple[str, int], list[float]] = defaultdict(list)
    lead = {i.id: i.lead_time for i in model.items}
    for s in model.suppliers:
        if s.nation != nation:
            continue
        key = (s.item, s.lead_time if s.lead_time is not None else lead[s.item])
        cap = rates(cal, s.rate_per_year, [(c.start, c.rate_per_year) for c in s.changes])
        for t, v in enumerate(cap):
            supply[key][t] += v
        supply_cost[key].append(s.unit_cost)
    stocks: dict[str, float] = defaultdict(float)
    for st in model.stocks:
        if st.nation == nation:
            stocks[st.item] += st.quantity
    claimants = [c for c in model.claimants if c.nation == nation]
    ids = {c.id for c in claimants}
    return Aggregate(
        nation=nation,
        horizon_start=model.horizon.start,
        periods=cal.labels(),
        lines=[
            Capacity(item=i, per_period=v, unit_cost=sum(line_cost[i]) / len(line_cost[i]))
            for i, v in sorted(lines.items())
        ],
        supply=[
            Capacity(
                item=i,
                lead_time=lt,
                per_period=v,
                unit_cost=sum(supply_cost[(i, lt)]) / len(supply_cost[(i, lt)]),
            )
            for (i, lt), v in sorted(supply.items())
        ],
        stocks=dict(sorted(stocks.items())),
        claimants=claimants,
        requirements=[r for r in model.requirements if r.claimant in ids],
    )


def own_part(model: Model, nation: str) -> Model:
    """What ``nation`` holds in detail: its lines, suppliers, expansions,
    claimants, requirements and stocks; the items and bills of materials (the
    products' structure is common knowledge between co-producers)."""
    claimants = [c for c in model.claimants if c.nation == nation or c.transfer is not None]
    ids = {c.id for c in claimants}
    return model.model_copy(
        update={
            "lines": [x for x in model.lines if x.nation == nation],
            "suppliers": [x for x in model.suppliers if x.nation == nation],
            "expansions": [x for x in model.expansions if x.nation == nation],
            "claimants": claimants,
            "requirements": [r for r in model.requirements if r.claimant in ids],
            "stocks": [s for s in model.stocks if s.nation in (nation, None)],
        }
    )


def _series(cal: Calendar, per_period: list[float]) -> tuple[float, list[RateChange]]:
    """A per-period series as a yearly rate and its changes (one per change of value)."""
    first = per_period[0] * cal.per_year
    changes = []
    for t in range(1, len(per_period)):
        if per_period[t] != per_period[t - 1]:
            changes.append(
                RateChange(start=cal.label(t), rate_per_year=per_period[t] * cal.per_year)
            )
    return first, changes


def joint(own: Model, released: list[Aggregate]) -> Model:
    """``own`` detail plus each partner's released aggregates, as one model."""
    cal = Calendar.of(own.horizon)
    lines = list(own.lines)
    suppliers = list(own.suppliers)
    stocks = list(own.stocks)
    claimants = list(own.claimants)
    known = {c.id for c in claimants}
    requirements = list(own.requirements)
    names = {i.id: (i.name_en, i.name_ja) for i in own.items}
    for agg in released:
        if agg.horizon_start != own.horizon.start or agg.periods != cal.labels():
            raise InvalidInput(
                Text(
                    f"{agg.nation}'s released aggregates are for another horizon "
                    f"({agg.periods[0]}…{agg.periods[-1]})",
                    f"{agg.nation}が提供した集計値は別の計画期間（{agg.periods[0]}〜{agg.periods[-1]}）のものです",
                ),
                field="aggregates",
            )
        for cap in agg.lines:
            rate, changes = _series(cal, cap.per_period)
            en, ja = names[cap.item]
            lines.append(
                Line(
                    id=f"{agg.nation.lower()}-released-{cap.item}",
                    nation=agg.nation,
                    site=f"{agg.nation} (released aggregate)",
                    name_en=f"{agg.nation} {en} capacity (released aggregate)",
                    name_ja=f"{agg.nation} {ja}の能力（提供された集計値）",
                    items=[cap.item],
                    rate_per_year=rate,
                    changes=changes,
                    unit_cost={cap.item: cap.unit_cost},
                )
            )
        for cap in agg.supply:
            rate, changes = _series(cal, cap.per_period)
            en, ja = names[cap.item]
            suppliers.append(
                Supplier(
                    id=f"{agg.nation.lower()}-released-{cap.item}-{cap.lead_time}",
                    nation=agg.nation,
                    name_en=f"{agg.nation} {en} supply (released aggregate)",
                    name_ja=f"{agg.nation} {ja}の供給（提供された集計値）",
                    item=cap.item,
                    rate_per_year=rate,
                    changes=changes,
                    lead_time=cap.lead_time,
                    unit_cost=cap.unit_cost,
                )
            )
        stocks.extend(Stock(item=i, quantity=q, nation=agg.nation) for i, q in agg.stocks.items())
        for c in agg.claimants:
            if c.id not in known:
                claimants.append(c)
                known.add(c.id)
        requirements.extend(agg.requirements)
    return own.model_copy(
        update={
            "lines": lines,
            "suppliers": suppliers,
            "stocks": stocks,
            "claimants": claimants,
            "requirements": requirements,
        }
    )


def shared_plan(plan: Plan, model: Model) -> Plan:
    """What a joint plan shows every participant: each nation's lines and
    suppliers summed per item (the partners' parts already are: they came as
    released aggregates), the claimants' deliveries, requirements and
    shortfalls as they are, the investments and what binds named by nation
    and item. No line, site, supplier or expansion id, nor any per-line or
    per-supplier figure, of the nation that solved it leaves with it."""
    items = {i.id: (i.name_en, i.name_ja) for i in model.items}
    lines = {x.id: x for x in model.lines}
    suppliers = {x.id: x for x in model.suppliers}

    def group(kind: str, ident: str) -> tuple[str, str, list[str]]:
        """(nation, key, item ids) of the line or supplier's group."""
        if kind == "line":
            ln = lines[ident]
            return ln.nation, f"{ln.nation}/{'+'.join(ln.items)}", ln.items
        sup = suppliers[ident]
        return sup.nation, f"{sup.nation}/{sup.item}", [sup.item]

    def summed(series: list[Series], key_of: Callable[[str], str]) -> list[Series]:
        out: dict[str, list[float]] = {}
        for s in series:
            acc = out.setdefault(key_of(s.key), [0.0] * len(s.values))
            for t, v in enumerate(s.values):
                acc[t] += v
        return [
            Series(key=k, values=[round(v, 6) + 0.0 for v in vs]) for k, vs in sorted(out.items())
        ]

    def by_line(key: str) -> str:
        line, item = key.rsplit("/", 1)
        return f"{lines[line].nation}/{item}"

    def by_supplier(key: str) -> str:
        return group("supplier", key)[1]

    def by_capacity(key: str) -> str:
        kind, ident = key.split("/", 1)
        return f"{kind}/{group(kind, ident)[1]}"

    def names(ids: list[str]) -> tuple[str, str]:
        return " + ".join(items[i][0] for i in ids), "・".join(items[i][1] for i in ids)

    investments = []
    for inv in plan.investments:
        kind = "line" if inv.target in lines else "supplier"
        _nation, key, _ids = group(kind, inv.target)
        investments.append(
            inv.model_copy(update={"expansion": f"{kind}/{key}", "target": f"{kind}/{key}"})
        )
    binding: dict[tuple[str, str, str, str], Bottleneck] = {}
    per = Calendar.of(model.horizon).per
    for b in plan.bottlenecks:
        nation, key, ids = group(b.kind, b.id)
        en, ja = names(ids)
        subject = (
            (f"{nation}'s {en} lines (combined) are", f"{nation}の{ja}生産ライン（合計）は")
            if b.kind == "line"
            else (f"{nation}'s {en} supply (combined) is", f"{nation}の{ja}供給（合計）は")
        )
        shared = b.model_copy(
            update={
                "id": f"{b.kind}/{key}",
                "text": bottleneck_text(
                    subject, b.start, b.end, b.measure, b.gain, plan.currency, per
                ),
            }
        )
        seen = binding.get((b.kind, key, b.start, b.end))
        if seen is None or seen.gain < b.gain:
            binding[(b.kind, key, b.start, b.end)] = shared
    bottlenecks = sorted(binding.values(), key=lambda b: (-b.gain, b.start, b.id))
    held = {c.claimant: Text(c.held.en, c.held.ja) for c in plan.claimants if c.held is not None}
    return plan.model_copy(
        update={
            "production": summed(plan.production, by_line),
            "completions": summed(plan.completions, by_line),
            "supply": summed(plan.supply, by_supplier),
            "capacity": summed(plan.capacity, by_capacity),
            "investments": investments,
            "bottlenecks": bottlenecks,
            "summary": summary_of(
                plan.weighted_shortfall, plan.cost, plan.currency, investments, bottlenecks, held
            ),
        }
    )
