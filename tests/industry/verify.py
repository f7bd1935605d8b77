"""An independent check of a plan against its model: every stock balance,
capacity and delivery rule recomputed from the plan's own series, with none of
the solver's code. A plan the optimizer returns must pass it."""

from __future__ import annotations

from collections import defaultdict
from itertools import accumulate

from alliance.industry import Calendar, Model, Plan

# Units are missiles and parts: the solver's tolerances (1e-7 a row) and the
# plan's rounding to 1e-6, summed over a horizon, stay far below 1e-4.
TOL = 1e-4


def verify(model: Model, plan: Plan) -> None:
    cal = Calendar.of(model.horizon)
    T = cal.periods
    assert plan.periods == cal.labels()
    production = {s.key: s.values for s in plan.production}
    supply = {s.key: s.values for s in plan.supply}
    capacity = {s.key: s.values for s in plan.capacity}
    deliveries = {s.key: s.values for s in plan.deliveries}
    lead = {i.id: i.lead_time for i in model.items}

    for line in model.lines:
        for t in range(T):
            made = sum(production[f"{line.id}/{i}"][t] for i in line.items)
            assert made <= capacity[f"line/{line.id}"][t] + TOL, (line.id, t)
    for s in model.suppliers:
        for t in range(T):
            assert supply[s.id][t] <= capacity[f"supplier/{s.id}"][t] + TOL, (s.id, t)

    # Stock of every item: start + finished + arrived - used - delivered ≥ 0.
    stock: dict[str, float] = defaultdict(float)
    for st in model.stocks:
        stock[st.item] += st.quantity
    for t in range(T):
        for i in model.items:
            inflow = 0.0
            if t - lead[i.id] >= 0:
                inflow += sum(
                    production[f"{ln.id}/{i.id}"][t - lead[i.id]]
                    for ln in model.lines
                    if i.id in ln.items
                )
            for s in model.suppliers:
                sl = s.lead_time if s.lead_time is not None else lead[s.item]
                if s.item == i.id and t - sl >= 0:
                    inflow += supply[s.id][t - sl]
            used = sum(
                b.quantity * production[f"{ln.id}/{b.parent}"][t]
                for b in model.bom if b.child == i.id
                for ln in model.lines if b.parent in ln.items
            )  # fmt: skip
            out = sum(v[t] for key, v in deliveries.items() if key.split("/", 1)[1] == i.id)
            stock[i.id] += inflow - used - out
            assert stock[i.id] >= -TOL, (i.id, cal.label(t), stock[i.id])

    # Deliveries: never ahead of what is due, backlog what is owed.
    due: dict[str, list[float]] = defaultdict(lambda: [0.0] * T)
    for r in model.requirements:
        due[f"{r.claimant}/{r.item}"][cal.last(r.due)] += r.quantity
    backlog = {s.key: s.values for s in plan.backlog}
    for key, d in due.items():
        owed = list(accumulate(d))
        got = list(accumulate(deliveries[key]))
        for t in range(T):
            assert got[t] <= owed[t] + TOL, (key, t)
            assert abs(backlog[key][t] - (owed[t] - got[t])) <= 1e-4, (key, t)
    for r in model.requirements:
        if r.firm:
            key = f"{r.claimant}/{r.item}"
            firm = sum(
                x.quantity
                for x in model.requirements
                if f"{x.claimant}/{x.item}" == key and x.firm and cal.last(x.due) <= cal.last(r.due)
            )
            t = cal.last(r.due)
            assert sum(deliveries[key][: t + 1]) >= firm - TOL
    # Held transfers get nothing.
    for c in model.claimants:
        if c.transfer is not None and not (
            c.transfer.export_cleared
            and set(c.transfer.approved_by)
            >= ({x.nation for x in model.lines} | {x.nation for x in model.suppliers})
        ):
            assert all(
                v == 0 for key, vs in deliveries.items() if key.startswith(f"{c.id}/") for v in vs
            )

    # The objective values are what the series say.
    weights = {c.id: c for c in model.claimants}
    shortfall = 0.0
    for key, vs in backlog.items():
        c = weights[key.split("/")[0]]
        if c.transfer is not None and any(r.held for r in plan.claimants if r.claimant == c.id):
            continue
        for t, v in enumerate(vs):
            w = c.priority
            for ch in sorted(c.changes, key=lambda x: cal.first(x.start)):
                if cal.first(ch.start) <= t:
                    w = ch.priority
            shortfall += w * v
    assert abs(shortfall - plan.weighted_shortfall) <= 1e-4 * max(1.0, shortfall)
