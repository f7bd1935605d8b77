"""The node's industry desk: solves run outside the node's writer.

A solve on request (:meth:`IndustryDesk.solve`) reads nothing stored and
writes nothing: the caller sends the model (their nation's own data, or the
illustrative one) and the scenarios; the plans come back with their plots.
The stored side — datasets, releases, joint plans and approvals — is
:mod:`.joint`. At most :data:`SOLVES` solves of either kind run at once on a
node (each bounded by its time limit); another is refused with 503 until one
ends.
"""

from __future__ import annotations

import functools
import threading
from typing import Annotated

from pydantic import BaseModel, Field

from alliance.core.authority import Actor
from alliance.core.errors import Unavailable
from alliance.core.i18n import Text
from alliance.store.context import DeskContext

from .joint import SOLVES, JointDesk
from .model import DEMO_MODEL, Model, load_model
from .plan import Plan
from .plots import PLOTS, plan_figure
from .scenario import Scenario, compare
from .solver import Options

MAX_SCENARIOS = 6


class SolveIn(BaseModel):
    model: Model
    scenarios: list[Scenario] = Field(default_factory=list, max_length=MAX_SCENARIOS)
    time_limit_s: Annotated[float, Field(gt=0, le=120)] = 30.0
    plots: bool = False  # each plan's plots as SVG in the answer


class SolveOut(BaseModel):
    plans: dict[str, Plan]
    plots: dict[str, dict[str, str]] = {}  # scenario -> plot name -> SVG


@functools.cache
def _example() -> Model:
    """The illustrative model, read once (a Model is immutable)."""
    return load_model(DEMO_MODEL)


class IndustryDesk(JointDesk):
    """Solves on request (:meth:`solve`: nothing stored) and the stored joint
    planning between nations (:class:`.joint.JointDesk`)."""

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx
        self._slots = threading.BoundedSemaphore(SOLVES)

    def example(self, actor: Actor) -> Model:
        del actor  # any signed-in user: the illustrative model is public and fictional
        return _example()

    def solve(self, actor: Actor, data: SolveIn) -> SolveOut:
        del actor  # computes on what the caller sent; nothing stored is read
        if not self._slots.acquire(blocking=False):
            raise Unavailable(
                Text(
                    f"{SOLVES} solves are running on this node; try again when one ends.",
                    f"このノードでは{SOLVES}件の求解が実行中です。終了後に再度お試しください。",
                ),
                code="solver_busy",
            )
        try:
            plans = compare(data.model, data.scenarios, Options(time_limit_s=data.time_limit_s))
        finally:
            self._slots.release()
        plots: dict[str, dict[str, str]] = {}
        if data.plots:
            for sid, plan in plans.items():
                plots[sid] = {what: plan_figure(plan, what, "svg").decode() for what in PLOTS}
        return SolveOut(plans=plans, plots=plots)
