"""The co-production plan as a mixed-integer program, solved with HiGHS.

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

The solve is deterministic (fixed seed; the inputs' hash is recorded with the
plan), bounded in time and can be cancelled. It touches no database: the
desk runs it outside the node's writer.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from highspy import HighsCallback, cb

from alliance.core.errors import AllianceError, InvalidInput
from alliance.core.i18n import Text
from alliance.core.models import Bilingual

from .check import check
from .model import Calendar, Model
from .plan import (
    Bottleneck,
    ClaimantResult,
    Investment,
    Plan,
    Series,
)

INF = highspy.kHighsInf
SEED = 20261203


@dataclass(frozen=True)
class Options:
    time_limit_s: float = 60.0
    mip_rel_gap: float = 1e-4  # well inside the 0.1% a plan is held to

    def as_dict(self) -> dict[str, float | int | str]:
        return {"time_limit_s": self.time_limit_s, "mip_rel_gap": self.mip_rel_gap, "seed": SEED}


@dataclass(frozen=True)
class Progress:
    stage: str  # "shortfall", "cost", "bottlenecks"
    best: float | None
    bound: float | None
    gap: float | None
    elapsed_s: float


class Cancelled(AllianceError):
    code = "solve_cancelled"
    status = 409


class Infeasible(InvalidInput):
    code = "infeasible_model"


class TimedOut(AllianceError):
    code = "solve_time_limit"
    status = 422


# -- building ------------------------------------------------------------------------


@dataclass
class _Program:
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
class _Built:
    program: _Program
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


def build(model: Model) -> _Built:
    check(model)
    cal = Calendar.of(model.horizon)
    T = cal.periods
    p = _Program()
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
    return _Built(
        p, cal, x, y, a, b, u, capacity_rows, base, due, held, dict(requirement_rows), names,
        where, {i for i, q in stock.items() if q > 0},
    )  # fmt: skip


# -- solving -------------------------------------------------------------------------


class _Quiet(highspy.Highs):
    """``highspy.Highs`` that prints no banner: HiGHS writes its copyright
    header to the process's stdout when the callbacks are installed with
    output on (which would corrupt ``--json`` output); here output is off
    first. The steps are ``highspy.Highs.__init__``'s."""

    def __init__(self) -> None:
        highspy._core._Highs.__init__(self)
        self.setOptionValue("output_flag", False)
        self.callbacks = [
            HighsCallback(cb.HighsCallbackType(t), self)
            for t in range(int(cb.HighsCallbackType.kCallbackMax) + 1)
        ]
        self.enableCallbacks()


def new_highs() -> highspy.Highs:
    try:
        h: highspy.Highs = _Quiet()
    except (AttributeError, TypeError):  # another highspy: its own constructor, banner and all
        h = highspy.Highs()
    h.silent()
    return h


def _highs(p: _Program, options: Options) -> highspy.Highs:
    h = new_highs()
    h.setOptionValue("random_seed", SEED % 2_147_483_647)
    h.setOptionValue("mip_rel_gap", options.mip_rel_gap)
    n, m = len(p.lb), len(p.row_lo)
    h.addVars(n, np.array(p.lb), np.array(p.ub))
    if p.integer:
        idx = np.array(p.integer, dtype=np.int32)
        h.changeColsIntegrality(len(idx), idx, np.array([highspy.HighsVarType.kInteger] * len(idx)))
    h.addRows(
        m,
        np.array(p.row_lo),
        np.array(p.row_hi),
        len(p.index),
        np.array(p.starts, dtype=np.int32),
        np.array(p.index, dtype=np.int32),
        np.array(p.value),
    )
    return h


def _set_costs(h: highspy.Highs, n: int, costs: dict[int, float]) -> None:
    full = np.zeros(n)
    for c, v in costs.items():
        full[c] = v
    h.changeColsCost(n, np.arange(n, dtype=np.int32), full)


class _Watch:
    """Progress and cancel, through HiGHS's callbacks."""

    def __init__(
        self,
        h: highspy.Highs,
        progress: Callable[[Progress], None] | None,
        cancel: threading.Event | None,
        started: float,
    ) -> None:
        self.stage = "shortfall"
        self.progress, self.cancel, self.started = progress, cancel, started
        self._last = 0.0
        h.cbMipInterrupt += self._interrupt
        h.cbSimplexInterrupt += self._interrupt
        h.cbIpmInterrupt += self._interrupt
        if progress is not None:
            h.cbMipImprovingSolution += self._improved

    def _interrupt(self, e: Any) -> None:
        if self.cancel is not None and self.cancel.is_set():
            e.interrupt()
            return
        now = time.monotonic()
        if self.progress is not None and now - self._last > 0.25 and hasattr(e.data_out, "mip_gap"):
            self._last = now
            self._report(e)

    def _improved(self, e: Any) -> None:
        self._report(e)

    def _report(self, e: Any) -> None:
        assert self.progress is not None
        out = e.data_out
        best, bound, gap = out.mip_primal_bound, out.mip_dual_bound, out.mip_gap
        self.progress(
            Progress(
                self.stage,
                best if abs(best) < INF else None,
                bound if abs(bound) < INF else None,
                gap if gap < INF else None,
                time.monotonic() - self.started,
            )
        )

    def say(self, stage: str) -> None:
        self.stage = stage
        if self.progress is not None:
            self.progress(Progress(stage, None, None, None, time.monotonic() - self.started))


def _run(h: highspy.Highs, built: _Built, deadline: float, watch: _Watch) -> tuple[str, float]:
    """Solve; the model status's name and the MIP gap. Raises on cancel,
    infeasibility or no solution within the time limit."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _timed_out()
    h.setOptionValue("time_limit", max(0.05, left))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status == highspy.HighsModelStatus.kInterrupt:
        raise Cancelled(Text("The solve was cancelled.", "求解は取り消されました。"))
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal", float(info.mip_gap) if built.program.integer else 0.0
    if status == highspy.HighsModelStatus.kTimeLimit and has_solution:
        return "time_limit", float(info.mip_gap)
    if status == highspy.HighsModelStatus.kTimeLimit:
        raise _timed_out()
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        from .explain import explain_infeasible

        raise explain_infeasible(h, built)
    raise AllianceError(  # not reached with the rows above (every column is bounded below by 0)
        Text(
            f"The solver ended without a plan ({h.modelStatusToString(status)}).",
            f"ソルバーが計画を得られずに終了しました（{h.modelStatusToString(status)}）。",
        ),
        code="solve_failed",
    )


def _timed_out() -> TimedOut:
    return TimedOut(
        Text(
            "No plan was found within the time limit; give the solve more time or a smaller model.",
            "制限時間内に計画が得られませんでした。時間を延ばすかモデルを小さくしてください。",
        )
    )


def solve(
    model: Model,
    options: Options | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> Plan:
    """The plan for ``model``: least weighted shortfall, then least cost."""
    options = options or Options()
    started = time.monotonic()
    deadline = started + options.time_limit_s
    built = build(model)
    p = built.program
    n = len(p.lb)
    h = _highs(p, options)
    watch = _Watch(h, progress, cancel, started)

    # Stage 1: least weighted shortfall.
    watch.say("shortfall")
    _set_costs(h, n, p.shortfall)
    status1, gap1 = _run(h, built, deadline, watch)
    first = np.array(h.getSolution().col_value)
    shortfall = float(sum(w * first[c] for c, w in p.shortfall.items()))

    # Stage 2: least cost with the shortfall held (to the solver's tolerance).
    watch.say("cost")
    idx = np.array(sorted(p.shortfall), dtype=np.int32)
    h.addRow(
        -INF,
        shortfall + max(1e-7, 1e-9 * abs(shortfall)),
        len(idx),
        idx,
        np.array([p.shortfall[c] for c in idx]),
    )
    _set_costs(h, n, p.cost)
    start = highspy.HighsSolution()
    start.col_value = list(first)
    start.value_valid = True
    h.setSolution(start)
    status2, gap2 = _run(h, built, deadline, watch)
    sol = np.array(h.getSolution().col_value)
    cost = float(sum(v * sol[c] for c, v in p.cost.items()))

    # Stage 3: the LP with the investments fixed, for what binds.
    watch.say("bottlenecks")
    measure = "shortfall" if shortfall > 1e-6 else "cost"
    duals = _duals(h, built, sol, measure)
    elapsed = time.monotonic() - started
    status = "optimal" if (status1, status2) == ("optimal", "optimal") else "time_limit"
    return _plan(
        model, built, sol, duals, measure, shortfall, cost, max(gap1, gap2), status, options,
        elapsed,
    )  # fmt: skip


def _duals(h: highspy.Highs, built: _Built, sol: np.ndarray, measure: str) -> np.ndarray:
    p = built.program
    n = len(p.lb)
    if p.integer:
        idx = np.array(p.integer, dtype=np.int32)
        fixed = np.round(sol[idx])
        h.changeColsBounds(len(idx), idx, fixed, fixed)
        h.changeColsIntegrality(
            len(idx), idx, np.array([highspy.HighsVarType.kContinuous] * len(idx))
        )
    last = h.getNumRow() - 1  # the shortfall row added for stage 2
    if measure == "shortfall":
        h.changeRowBounds(last, -INF, INF)
        _set_costs(h, n, p.shortfall)
    h.setOptionValue("time_limit", 60.0)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return np.zeros(h.getNumRow())
    return np.array(h.getSolution().row_dual)


def _plan(
    model: Model,
    built: _Built,
    sol: np.ndarray,
    duals: np.ndarray,
    measure: str,
    shortfall: float,
    cost: float,
    gap: float,
    status: str,
    options: Options,
    elapsed: float,
) -> Plan:
    cal, T = built.cal, built.cal.periods
    lead = {i.id: i.lead_time for i in model.items}

    def values(cols: list[int]) -> list[float]:
        return [_clean(sol[c]) for c in cols]

    production = [Series(key=f"{ln}/{i}", values=values(c)) for (ln, i), c in built.x.items()]
    completions = []
    for (ln, i), cols in built.x.items():
        done = [0.0] * T
        for t in range(T - lead[i]):
            done[t + lead[i]] = _clean(sol[cols[t]])
        completions.append(Series(key=f"{ln}/{i}", values=done))
    supply = [Series(key=s, values=values(c)) for s, c in built.y.items()]
    deliveries = [Series(key=f"{k}/{i}", values=values(c)) for (k, i), c in built.a.items()]
    requirements = [Series(key=f"{k}/{i}", values=v) for (k, i), v in built.due.items()]
    backlog = [Series(key=f"{k}/{i}", values=values(c)) for (k, i), c in built.b.items()]

    added_at: dict[str, list[float]] = defaultdict(lambda: [0.0] * T)
    investments = []
    expansions = {e.id: e for e in model.expansions}
    for e_id, cols_e in built.u.items():
        e = expansions[e_id]
        on = [t for t, c in enumerate(cols_e) if c is not None and sol[c] > 0.5]
        if not on:
            continue
        online = on[0]
        for t in on:
            added_at[e.target][t] += e.added_rate_per_year / cal.per_year
        investments.append(
            Investment(
                expansion=e.id,
                target=e.target,
                nation=e.nation,
                decided=cal.label(online - e.lead_time),
                online=cal.label(online),
                capital_cost=e.capital_cost,
                running_cost=e.running_cost_per_year / cal.per_year * len(on),
            )
        )
    capacity = [
        Series(
            key=f"{kind}/{ident}",
            values=[_clean(b + a) for b, a in zip(base, added_at[ident], strict=True)],
        )
        for (kind, ident), base in built.base.items()
    ]

    results = []
    for (k, i), cols in built.b.items():
        required = sum(built.due[(k, i)])
        delivered = sum(values(built.a[(k, i)]))
        held = built.held.get(k)
        results.append(
            ClaimantResult(
                claimant=k,
                item=i,
                required=_clean(required),
                delivered=_clean(delivered),
                short_at_end=_clean(sol[cols[-1]]),
                late_unit_periods=_clean(sum(sol[c] for c in cols)),
                held=None if held is None else Bilingual(en=held.en, ja=held.ja),
            )
        )

    nations = {x.id: x.nation for x in model.lines} | {x.id: x.nation for x in model.suppliers}
    bottlenecks = _bottlenecks(built, duals, measure, nations, model.currency)
    summary = _summary(shortfall, cost, model.currency, investments, bottlenecks, built.held)
    return Plan(
        model_hash=model.digest(),
        solver=f"HiGHS {new_highs().version()}",
        options=options.as_dict(),
        status=status,
        periods=cal.labels(),
        currency=model.currency,
        weighted_shortfall=_clean(shortfall),
        cost=round(cost, 2) + 0.0,
        gap=max(0.0, gap),
        solve_s=elapsed,
        production=production,
        completions=completions,
        supply=supply,
        deliveries=deliveries,
        requirements=requirements,
        backlog=backlog,
        capacity=capacity,
        investments=investments,
        claimants=results,
        bottlenecks=bottlenecks,
        summary=summary,
    )


def _clean(v: float) -> float:
    """Solver noise off: 1e-10 is 0, 99.9999999 is 100."""
    r = round(float(v), 6)
    return 0.0 if r == 0 else r


def _bottlenecks(
    built: _Built,
    duals: np.ndarray,
    measure: str,
    nations: dict[str, str],
    currency: str,
) -> list[Bottleneck]:
    cal = built.cal
    unit_en, unit_ja = {
        "month": ("month", "月"),
        "quarter": ("quarter", "四半期"),
        "year": ("year", "年"),
    }[cal.per]
    out: list[Bottleneck] = []
    for (kind, ident), rows in built.capacity_rows.items():
        gain = [max(0.0, -float(duals[r])) for r in rows]  # ≤ rows: a dual ≤ 0 in a minimisation
        t = 0
        while t < len(gain):
            if gain[t] <= 1e-7:
                t += 1
                continue
            s = t
            while t < len(gain) and gain[t] > 1e-7:
                t += 1
            top = max(gain[s:t])
            en, ja = built.names[ident]
            nation = nations[ident]
            start, end = cal.label(s), cal.label(t - 1)
            span_en = f"in {start}" if s == t - 1 else f"from {start} to {end}"
            span_ja = f"{start}に" if s == t - 1 else f"{start}〜{end}に"
            what_en = "line" if kind == "line" else "supplier"
            what_ja = "ライン" if kind == "line" else "供給元"
            if measure == "shortfall":
                buys_en = f"cuts the weighted shortfall by up to {top:,.2f}"
                buys_ja = f"重み付き不足が最大{top:,.2f}減ります"
            else:
                buys_en = f"saves up to {currency} {top:,.0f}"
                buys_ja = f"費用が最大{currency} {top:,.0f}減ります"
            out.append(
                Bottleneck(
                    kind=kind,
                    id=ident,
                    nation=nation,
                    start=start,
                    end=end,
                    periods=t - s,
                    gain=round(top, 6),
                    measure=measure,
                    text=Bilingual(
                        en=f"The {what_en} {en} ({nation}) is at capacity {span_en}: one more "
                        f"unit in one {unit_en} of it {buys_en}.",
                        ja=f"{what_ja}「{ja}」（{nation}）は{span_ja}能力の上限です。"
                        f"そのいずれかの{unit_ja}に1単位増やすと{buys_ja}。",
                    ),
                )
            )
    out.sort(key=lambda b: (-b.gain, b.start, b.id))
    return out


def _summary(
    shortfall: float,
    cost: float,
    currency: str,
    investments: list[Investment],
    bottlenecks: list[Bottleneck],
    held: dict[str, Text],
) -> Bilingual:
    en = [
        f"Weighted shortfall {shortfall:,.1f}; cost {currency} {cost:,.0f}; "
        f"{len(investments)} expansion(s) chosen."
    ]
    ja = [
        f"重み付き不足 {shortfall:,.1f}、費用 {currency} {cost:,.0f}、拡張 {len(investments)} 件を選択。"
    ]
    if bottlenecks:
        en.append(f"Main bottleneck: {bottlenecks[0].text.en}")
        ja.append(f"主な制約: {bottlenecks[0].text.ja}")
    if held:
        en.append("Not delivered: " + "; ".join(t.en for t in held.values()) + ".")
        ja.append("引き渡し不可: " + "、".join(t.ja for t in held.values()) + "。")
    return Bilingual(en=" ".join(en), ja="".join(ja))
