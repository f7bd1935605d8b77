"""The co-production plan solved with HiGHS: lexicographic (least weighted
shortfall, then least cost with it held), then the LP with the investments
fixed for the bottlenecks (:mod:`.program` builds the MILP, :mod:`.results`
reads the plan back).

The solve is deterministic (fixed seed; the inputs' hash is recorded with the
plan), bounded in time and can be cancelled. It touches no database: the
desk runs it outside the node's writer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from highspy import HighsCallback, cb

from alliance.core.errors import AllianceError, InvalidInput
from alliance.core.i18n import Text

from .model import Model
from .plan import Plan
from .program import INF, Built, Program, build

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


def _highs(p: Program, options: Options) -> highspy.Highs:
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


def _run(h: highspy.Highs, built: Built, deadline: float, watch: _Watch) -> tuple[str, float]:
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
    from .results import plan_of

    return plan_of(
        model, built, sol, duals, measure, shortfall, cost, max(gap1, gap2), status,
        options.as_dict(), elapsed, f"HiGHS {h.version()}",
    )  # fmt: skip


def _duals(h: highspy.Highs, built: Built, sol: np.ndarray, measure: str) -> np.ndarray:
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
