"""The plans desk: bilateral exercise and template plans with national lines.

Real operation plans are classified: this node holds exercise and template
plans only. Single writer holds throughout (see :mod:`.tables`): the lead
nation writes the plan, each nation its own lines, its approval and
execution of them, and its comments. The desk is written along its seams:
:mod:`.plans` (the plan and the lines), :mod:`.approvals` (approving,
executing, commenting), :mod:`.history` (revisions and their diff) and
:mod:`.syncmatrix` (the synchronization matrix). Each change ``foo(actor,
...)`` has a transaction form ``foo_in(tx, actor, ...)``.
"""

from __future__ import annotations

from alliance.core.authority import Actor

from .approvals import Approvals
from .common import plan_state
from .history import History
from .models import PlanKind, SyncMatrixOut
from .plans import Plans
from .syncmatrix import matrix_data, render


class PlansDesk(Plans, Approvals, History):
    """Plans, their lines, approvals, execution, comments, revisions and the
    synchronization matrix."""

    def sync_matrix(self, actor: Actor, plan_id: str) -> SyncMatrixOut:
        with self.ctx.db.read() as s:
            return matrix_data(plan_state(s, self._plan(s, actor, plan_id), actor.nation))

    def sync_matrix_image(self, actor: Actor, plan_id: str, fmt: str) -> bytes:
        """The matrix drawn as ``svg`` or ``png``."""
        with self.ctx.db.read() as s:
            plan = self._plan(s, actor, plan_id)
            data = matrix_data(plan_state(s, plan, actor.nation))
            kind = PlanKind(plan.kind)
        return render(data, kind, fmt)


__all__ = ["PlansDesk"]
