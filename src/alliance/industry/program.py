"""The co-production plan as a mixed-integer program (columns and rows for HiGHS).

Per period ``t`` of the horizon (continuous quantities, in units):

* ``x[l,i,t]`` items ``i`` started on line ``l`` — finished ``lead(i)`` later,
  their bill of materials used at the start;
* ``y[s,t]`` components started by supplier ``s`` — delivered ``lead(s)`` later;
* ``v[i,t]`` stock of item ``i`` at the period's end (≥ 0, from the starting stock);
* ``a[k,i,t]`` items delivered to claimant ``k``; ``b[k,i,t]`` what is owed and
  not delivered at the period's end (≥ 0: nothing is delivered before it is
  due; at most the soft part: firm requirements must be met by their date);
* ``u[e,t]`` (binary) expansion ``e`` online at ``t``; once online it stays
  (``u[e,t] ≥ u[e,t-1]``): the decision is taken ``lead(e)`` before.

Rows: a line's starts within its rate (ramp-up, outages and the expansions
online included); a supplier's likewise; each item's stock balance; each
claimant's backlog balance.

The objective is lexicographic: first the **weighted shortfall** — the
backlog of every period, times the claimant's priority then (so late is
worse than on time, and later worse than sooner) — then, with that held at
its optimum, the **cost** (production, supply, expansions' capital and
running costs). The bottlenecks come from the linear program re-solved with
the investment decisions fixed: a capacity row's dual is what one more unit
of that capacity in that period would buy.

Solved by :mod:`.solver`; read back into a plan by :mod:`.results`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import highspy

from alliance.core.i18n import Text

from .check import check
from .model import Calendar, Model

INF = highspy.kHighsInf


@dataclass
class Program:
    """Columns and rows as HiGHS takes them, each tagged with what it stands for."""

    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    col_tag: list[tuple[str, str, int]] = field(default_factory=list)
    shortfall: dict[int, float] = field(default_factory=dict)  # column -> weight
    cost: dict[int, float] = field(default_factory=dict)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    row_tag: list[tuple[str, str, int]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def col(self, tag: tuple[str, str, int], lb: float = 0.0, ub: float = INF) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.col_tag.append(tag)
        return len(self.lb) - 1

    def row(self, tag: tuple[str, str, int], lo: float, hi: float, terms: dict[int, float]) -> int:
        self.starts.append(len(self.index))
        for c, v in terms.items():
            if v != 0.0:
                self.index.append(c)
                self.value.append(v)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        self.row_tag.append(tag)
        return len(self.row_lo) - 1


@dataclass
class Built:
    program: Program
    cal: Calendar
    x: dict[tuple[str, str], list[int]]
    y: dict[str, list[int]]
    a: dict[tuple[str, str], list[int]]
    b: dict[tuple[str, str], list[int]]
    u: dict[str, list[int | None]]
    capacity_rows: dict[tuple[str, str], list[int]]  # ("line"|"supplier", id) -> row per t
    base: dict[tuple[str, str], list[float]]
    due: dict[tuple[str, str], list[float]]
    held: dict[str, Text]
    requirement_rows: dict[tuple[str, str], list[int]]  # requirements' indexes per (k, i)
    names: dict[
        str, tuple[str, str]
    ]  # id -> (English, Japanese) of items, lines, suppliers, claimants
    where: dict[str, str]  # id -> its place in the document ("lines.2")
    stocked: set[str]  # items with a starting stock


def rates(cal: Calendar, rate: float, changes: list[tuple[str, float]]) -> list[float]:
    """The rate per period of each period, changes applied from their start."""
    out = [rate / cal.per_year] * cal.periods
    for start, r in sorted(changes, key=lambda c: cal.first(c[0])):
        for t in range(max(0, cal.first(start)), cal.periods):
            out[t] = r / cal.per_year
    return out


def line_capacity(model: Model, cal: Calendar) -> dict[str, list[float]]:
    """Each line's capacity per period: its rate, ramp-up and outages."""
    base: dict[str, list[float]] = {}
    for line in model.lines:
        cap = rates(cal, line.rate_per_year, [(c.start, c.rate_per_year) for c in line.changes])
        if line.opens is not None:
            opened = cal.first(line.opens)
            for t in range(cal.periods):
                k = t - opened
                if k < 0:
                    cap[t] = 0.0
                elif k < len(line.ramp):
                    cap[t] *= line.ramp[k]
        for out in line.outages:
            for t in range(max(0, cal.first(out.start)), min(cal.periods, cal.last(out.end) + 1)):
                cap[t] *= 1.0 - out.fraction
        base[line.id] = cap
    return base


def producers(model: Model) -> set[str]:
    """The nations whose lines or suppliers are in the model: a transfer needs each one's approval."""
    return {x.nation for x in model.lines} | {x.nation for x in model.suppliers}


def build(model: Model) -> Built:
    check(model)
    cal = Calendar.of(model.horizon)
    T = cal.periods
    p = Program()
    items = {i.id: i for i in model.items}
    lead = {i.id: i.lead_time for i in model.items}
    uses: dict[str, list[tuple[str, float]]] = defaultdict(list)  # child -> [(parent, qty)]
    for bl in model.bom:
        uses[bl.child].append((bl.parent, bl.quantity))

    x: dict[tuple[str, str], list[int]] = {}
    for line in model.lines:
        for i in line.items:
            cost = line.unit_cost.get(i, 0.0)
            cols = [p.col(("make", f"{line.id}/{i}", t)) for t in range(T)]
            for c in cols:
                p.cost[c] = cost
            x[(line.id, i)] = cols
    y: dict[str, list[int]] = {}
    for sup in model.suppliers:
        cols = [p.col(("supply", sup.id, t)) for t in range(T)]
        for c in cols:
            p.cost[c] = sup.unit_cost
        y[sup.id] = cols

    # Expansions: u[e,t] binary from the first period it can be online.
    u: dict[str, list[int | None]] = {}
    step = model.horizon.decision_step()
    by_target: dict[str, list[tuple[float, list[int | None]]]] = defaultdict(list)
    for e in model.expansions:
        first_decision = max(0, cal.first(e.earliest)) if e.earliest else 0
        online = first_decision + e.lead_time
        cols_e: list[int | None] = [None] * T
        distinct: list[int] = []
        for t in range(online, T):
            if (t - online) % step == 0:  # a decision may bring it online here
                c = p.col(("expansion", e.id, t), 0.0, 1.0)
                p.integer.append(c)
                p.cost[c] = 0.0
                distinct.append(c)
            else:  # between decision dates it stays as it was
                c = distinct[-1]
            p.cost[c] += e.running_cost_per_year / cal.per_year
            cols_e[t] = c
        if distinct:
            p.cost[distinct[-1]] += e.capital_cost
            for n_ in range(1, len(distinct)):
                now, prev = distinct[n_], distinct[n_ - 1]
                p.row(("stays", e.id, n_), 0.0, INF, {now: 1.0, prev: -1.0})
        u[e.id] = cols_e
        by_target[e.target].append((e.added_rate_per_year / cal.per_year, cols_e))

    capacity_rows: dict[tuple[str, str], list[int]] = {}
    base: dict[tuple[str, str], list[float]] = {}
    line_base = line_capacity(model, cal)
    for line in model.lines:
        rows = []
        for t in range(T):
            terms = {x[(line.id, i)][t]: 1.0 for i in line.items}
            for added, cols_e in by_target.get(line.id, []):
                if cols_e[t] is not None:
                    terms[cols_e[t]] = -added  # type: ignore[index]
            rows.append(p.row(("line", line.id, t), -INF, line_base[line.id][t], terms))
        capacity_rows[("line", line.id)] = rows
        base[("line", line.id)] = line_base[line.id]
    for sup in model.suppliers:
        cap = rates(cal, sup.rate_per_year, [(c.start, c.rate_per_year) for c in sup.changes])
        rows = []
        for t in range(T):
            terms = {y[sup.id][t]: 1.0}
            for added, cols_e in by_target.get(sup.id, []):
                if cols_e[t] is not None:
                    terms[cols_e[t]] = -added  # type: ignore[index]
            rows.append(p.row(("supplier", sup.id, t), -INF, cap[t], terms))
        capacity_rows[("supplier", sup.id)] = rows
        base[("supplier", sup.id)] = cap

    # Claimants: deliveries and backlog per (claimant, item) with requirements.
    claimants = {c.id: c for c in model.claimants}
    nations = producers(model)
    due: dict[tuple[str, str], list[float]] = {}
    firm: dict[tuple[str, str], list[float]] = {}
    requirement_rows: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, r in enumerate(model.requirements):
        key = (r.claimant, r.item)
        due.setdefault(key, [0.0] * T)[cal.last(r.due)] += r.quantity
        firm.setdefault(key, [0.0] * T)
        if r.firm:
            firm[key][cal.last(r.due)] += r.quantity
        requirement_rows[key].append(n)
    held: dict[str, Text] = {}
    for cl in model.claimants:
        if cl.transfer is None:
            continue
        missing = sorted(nations - set(cl.transfer.approved_by))
        if missing:
            held[cl.id] = Text(
                f"transfer to {cl.name_en} not approved by {', '.join(missing)}",
                f"{cl.name_ja}への移転は{'、'.join(missing)}の承認がありません",
            )
        elif not cl.transfer.export_cleared:
            held[cl.id] = Text(
                f"transfer to {cl.name_en} awaits export-control clearance",
                f"{cl.name_ja}への移転は輸出管理の許可待ちです",
            )
    a: dict[tuple[str, str], list[int]] = {}
    b: dict[tuple[str, str], list[int]] = {}
    for key in sorted(due):
        k, i = key
        claimant = claimants[k]
        weight = [claimant.priority] * T
        for ch in sorted(claimant.changes, key=lambda c: cal.first(c.start)):
            for t in range(max(0, cal.first(ch.start)), T):
                weight[t] = ch.priority
        cum, cum_firm = 0.0, 0.0
        a_cols, b_cols = [], []
        for t in range(T):
            cum += due[key][t]
            cum_firm += firm[key][t]
            a_cols.append(p.col(("deliver", f"{k}/{i}", t), 0.0, 0.0 if k in held else INF))
            soft = cum - cum_firm
            c_b = p.col(("owed", f"{k}/{i}", t), 0.0, soft if cum_firm > 0 else INF)
            if k not in held:  # a held transfer's backlog is the gate's, not the plan's
                p.shortfall[c_b] = weight[t]
            b_cols.append(c_b)
            terms = {c_b: 1.0, a_cols[t]: 1.0}
            if t > 0:
                terms[b_cols[t - 1]] = -1.0
            p.row(("backlog", f"{k}/{i}", t), due[key][t], due[key][t], terms)
        a[key], b[key] = a_cols, b_cols

    # Stock balance of every item.
    stock: dict[str, float] = defaultdict(float)
    for s in model.stocks:
        stock[s.item] += s.quantity
    made_on: dict[str, list[str]] = defaultdict(list)
    for line in model.lines:
        for i in line.items:
            made_on[i].append(line.id)
    supplied_by: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for sup in model.suppliers:
        supplied_by[sup.item].append(
            (sup.id, sup.lead_time if sup.lead_time is not None else lead[sup.item])
        )
    delivered_of: dict[str, list[list[int]]] = defaultdict(list)
    for (_, i), cols in a.items():
        delivered_of[i].append(cols)
    for i in items:
        v_prev: int | None = None
        for t in range(T):
            v = p.col(("stock", i, t))
            bal: dict[int, float] = {v: 1.0}
            if v_prev is not None:
                bal[v_prev] = -1.0
            if t - lead[i] >= 0:
                for line_id in made_on[i]:
                    c = x[(line_id, i)][t - lead[i]]
                    bal[c] = bal.get(c, 0.0) - 1.0
            for sup_id, sup_lead in supplied_by[i]:
                if t - sup_lead >= 0:
                    c = y[sup_id][t - sup_lead]
                    bal[c] = bal.get(c, 0.0) - 1.0
            for parent, qty in uses[i]:
                for line_id in made_on[parent]:
                    c = x[(line_id, parent)][t]
                    bal[c] = bal.get(c, 0.0) + qty
            for cols in delivered_of[i]:
                bal[cols[t]] = bal.get(cols[t], 0.0) + 1.0
            rhs = stock[i] if t == 0 else 0.0
            p.row(("balance", i, t), rhs, rhs, bal)
            v_prev = v
    names: dict[str, tuple[str, str]] = {}
    where: dict[str, str] = {}
    for part, rows_ in (
        ("items", model.items),
        ("lines", model.lines),
        ("suppliers", model.suppliers),
        ("claimants", model.claimants),
    ):
        for n_, row_ in enumerate(rows_):
            names[row_.id] = (row_.name_en, row_.name_ja)
            where[row_.id] = f"{part}.{n_}"
    return Built(
        p, cal, x, y, a, b, u, capacity_rows, base, due, held, dict(requirement_rows), names,
        where, {i for i, q in stock.items() if q > 0},
    )  # fmt: skip


# -- solving -------------------------------------------------------------------------
