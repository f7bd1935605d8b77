"""Writing a plan: the lead's plan row and each nation's own lines.

The lead nation writes the plan (title, purpose, participants, phases with
their key events, decision points and branches); each participating nation
writes its own lines, held by its HQ in the plan or a subordinate of it. A
partner never edits a line it does not own: it comments on it or proposes a
change (:mod:`.approvals`). Every content change makes a new revision.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Target, require_participant
from alliance.core.dtg import coerce_time
from alliance.core.errors import Forbidden, InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.org import HQ as HQ_TYPE
from alliance.org import HqRow, hq_chain
from alliance.store.owned import change_owned, create_owned, released_to, visible
from alliance.store.writer import Tx

from .common import LINE, PLAN, UNIT_TYPE, PlansBase, line_view, plan_state, plan_view
from .models import Phase, PlanIn, PlanLineIn, PlanLineOut, PlanLinePatch, PlanOut, PlanPatch
from .tables import PlanLineRow, PlanRow

PLAN_WORD = Text("plan", "計画")


def _check_phases(phases: list[Phase], field: str = "phases") -> None:
    seen: set[str] = set()
    for i, phase in enumerate(phases):
        ids = [phase.id] + [d.id for d in phase.decision_points] + [b.id for b in phase.branches]
        for ident in ids:
            if ident in seen:
                raise InvalidInput(
                    Text(
                        f"'{ident}' is used twice in the plan's phases: each phase, decision "
                        "point and branch needs an id of its own.",
                        f"「{ident}」が計画の段階の中で重複しています。段階・決心点・分岐には"
                        "それぞれ異なるIDが必要です。",
                    ),
                    field=f"{field}.{i}",
                    code="duplicate_id",
                )
            seen.add(ident)


def _check_phase_id(plan: PlanRow, phase_id: str | None) -> None:
    if phase_id and phase_id not in {p["id"] for p in plan.phases or []}:
        raise InvalidInput(
            Text(
                f"The plan has no phase '{phase_id}'.",
                f"計画に段階「{phase_id}」はありません。",
            ),
            field="phase_id",
            code="unknown_phase",
        )


class Plans(PlansBase):
    """Plans and their lines."""

    # -- reading -------------------------------------------------------------

    def list_plans(self, actor: Actor) -> list[PlanOut]:
        stmt = released_to(select(PlanRow), PlanRow, actor.nation)
        with self.ctx.db.read() as s:
            rows = s.scalars(stmt.order_by(PlanRow.created_at.desc(), PlanRow.id))
            return [plan_view(plan_state(s, row, actor.nation)) for row in rows]

    def get_plan(self, actor: Actor, plan_id: str) -> PlanOut:
        with self.ctx.db.read() as s:
            return plan_view(plan_state(s, self._plan(s, actor, plan_id), actor.nation))

    def get_line(self, actor: Actor, line_id: str) -> PlanLineOut:
        with self.ctx.db.read() as s:
            return line_view(LINE.find(s, actor.nation, line_id))

    # -- the lead's plan -------------------------------------------------------

    def create_plan(self, actor: Actor, data: PlanIn) -> PlanOut:
        _check_phases(data.phases)
        return self.ctx.writer.run(lambda tx: self.create_plan_in(tx, actor, data))

    def create_plan_in(self, tx: Tx, actor: Actor, data: PlanIn) -> PlanOut:
        s = tx.session
        _check_phases(data.phases)
        hq = visible(s.get(HqRow, data.hq_id), actor.nation, HQ_TYPE.label, data.hq_id, "hq_id")
        lead = hq.owner
        marking = data.marking.build(lead)
        participants: dict[str, str] = {}
        for i, p in enumerate(data.participants):
            field = f"participants.{i}.hq_id"
            phq = visible(s.get(HqRow, p.hq_id), actor.nation, HQ_TYPE.label, p.hq_id, field)
            if phq.owner != p.nation:
                raise InvalidInput(
                    Text(
                        f"'{p.hq_id}' is a {phq.owner} HQ, not {p.nation}'s.",
                        f"「{p.hq_id}」は{p.nation}ではなく{phq.owner}の司令部です。",
                    ),
                    field=field,
                    code="hq_of_other_nation",
                )
            if p.nation in participants:
                raise InvalidInput(
                    Text(
                        f"{p.nation} is named twice: a nation takes part through one HQ.",
                        f"{p.nation}が二度指定されています。各国は一つの司令部を通じて参加します。",
                    ),
                    field=f"participants.{i}.nation",
                    code="duplicate_participant",
                )
            participants[p.nation] = p.hq_id
        if lead not in participants:
            raise InvalidInput(
                Text(
                    f"The lead nation ({lead}, owner of {hq.id}) must be a participant.",
                    f"主導国（{lead}、{hq.id}の所有国）を参加国に含めてください。",
                ),
                field="participants",
                code="lead_not_participant",
            )
        unreleased = sorted(set(participants) - marking.releasable_to - {lead})
        if unreleased:
            raise InvalidInput(
                Text(
                    f"The marking does not release the plan to {', '.join(unreleased)}: every "
                    "participant approves its own lines of the plan, so each must see it all.",
                    f"区分が{', '.join(unreleased)}への提供を許していません。各参加国は自国の系列を"
                    "承認するため、計画の全体を見られる必要があります。",
                ),
                field="marking.releasable_to",
                code="not_released_to_participant",
            )
        grant = self._authorize(
            actor, Action.CREATE, Target("plan", "new", lead, marking, hq_chain(s, hq.id))
        )
        row = PlanRow(
            id=new_id(),
            kind=data.kind.value,
            title=data.title,
            title_ja=data.title_ja,
            purpose=data.purpose,
            purpose_ja=data.purpose_ja,
            hq_id=hq.id,
            participants=[{"nation": n, "hq_id": h} for n, h in participants.items()],
            phases=[p.model_dump(mode="json") for p in data.phases],
            edits=1,
            author_id=actor.user_id,
        )
        create_owned(
            tx,
            PLAN,
            row,
            owner=lead,
            marking=marking,
            actor=actor,
            grant=grant,
            event="plans.plan.created",
        )
        return plan_view(plan_state(s, row, actor.nation))

    def update_plan(self, actor: Actor, plan_id: str, patch: PlanPatch) -> PlanOut:
        if patch.phases is not None:
            _check_phases(patch.phases)
        return self.ctx.writer.run(lambda tx: self.update_plan_in(tx, actor, plan_id, patch))

    def update_plan_in(self, tx: Tx, actor: Actor, plan_id: str, patch: PlanPatch) -> PlanOut:
        s = tx.session

        def amend(row: PlanRow) -> None:
            for key in ("title", "title_ja", "purpose", "purpose_ja"):
                value = getattr(patch, key)
                if value is not None:
                    setattr(row, key, value)
            if patch.phases is not None:
                _check_phases(patch.phases)
                lines = plan_state(s, row, row.owner).lines
                used = {line.phase_id for line in lines if line.state == "active"}
                kept = {p.id for p in patch.phases}
                gone = sorted(used - kept - {""})
                if gone:
                    raise InvalidInput(
                        Text(
                            f"Lines still sit in phase {', '.join(gone)}: move them first.",
                            f"段階{', '.join(gone)}にまだ系列があります。先に移してください。",
                        ),
                        field="phases",
                        code="phase_in_use",
                    )
                row.phases = [p.model_dump(mode="json") for p in patch.phases]

        def new_edit(row: PlanRow) -> None:
            row.edits += 1

        row = change_owned(
            tx,
            actor,
            PLAN,
            plan_id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=patch.version,
            change=amend,
            changed=new_edit,
            event="plans.plan.amended",
        )
        return plan_view(plan_state(s, row, actor.nation))

    # -- each nation's own lines -------------------------------------------------

    def _line_units(self, s: Session, actor: Actor, unit_ids: list[str]) -> list[str]:
        for i, unit_id in enumerate(unit_ids):
            unit = visible(
                s.get(UNIT_TYPE.table, unit_id),
                actor.nation,
                UNIT_TYPE.label,
                unit_id,
                f"unit_ids.{i}",
            )
            if unit.owner != actor.nation:
                raise InvalidInput(
                    Text(
                        f"'{unit_id}' is a {unit.owner} unit: a line is assigned to its own "
                        f"nation's units only ({actor.nation}).",
                        f"「{unit_id}」は{unit.owner}の部隊です。系列は自国（{actor.nation}）の"
                        "部隊にのみ割り当てられます。",
                    ),
                    field=f"unit_ids.{i}",
                    code="unit_of_other_nation",
                )
        return list(dict.fromkeys(unit_ids))

    def add_line(self, actor: Actor, plan_id: str, data: PlanLineIn) -> PlanLineOut:
        coerce_time(data.due, field="due")
        return self.ctx.writer.run(lambda tx: self.add_line_in(tx, actor, plan_id, data))

    def add_line_in(self, tx: Tx, actor: Actor, plan_id: str, data: PlanLineIn) -> PlanLineOut:
        s = tx.session
        plan = self._plan(s, actor, plan_id)
        participants = {p["nation"]: p["hq_id"] for p in plan.participants}
        own_hq = participants.get(actor.nation, actor.hq_id)
        hq_id = data.hq_id or own_hq
        visible(s.get(HqRow, hq_id), actor.nation, HQ_TYPE.label, hq_id, "hq_id")
        chain = hq_chain(s, hq_id)
        grant = self._authorize(
            actor,
            Action.CREATE,
            Target("plan_line", "new", actor.nation, plan.marking, chain),
        )
        require_participant(actor, participants, PLAN_WORD)
        if own_hq not in chain:
            raise InvalidInput(
                Text(
                    f"'{hq_id}' is not {own_hq} ({actor.nation}'s HQ in the plan) or a "
                    "subordinate of it.",
                    f"「{hq_id}」は計画における{actor.nation}の司令部（{own_hq}）でも"
                    "その隷下でもありません。",
                ),
                field="hq_id",
                code="not_in_chain",
            )
        _check_phase_id(plan, data.phase_id)
        units = self._line_units(s, actor, data.unit_ids)
        row = PlanLineRow(
            id=new_id(),
            plan_id=plan.id,
            kind=data.kind.value,
            hq_id=hq_id,
            component=data.component,
            phase_id=data.phase_id or "",
            title=data.title,
            title_ja=data.title_ja,
            detail=data.detail,
            detail_ja=data.detail_ja,
            coordination=data.coordination,
            coordination_ja=data.coordination_ja,
            unit_ids=units,
            due=coerce_time(data.due, field="due"),
            state="active",
            edits=1,
            tasking_ids=[],
            author_id=actor.user_id,
        )
        # A line is part of the bilateral plan: it is seen by whoever sees the plan.
        marking = Marking(plan.marking.releasable_to | {plan.owner}, plan.marking.tlp)
        create_owned(
            tx,
            LINE,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event="plans.line.created",
        )
        return line_view(row)

    def update_line(self, actor: Actor, line_id: str, patch: PlanLinePatch) -> PlanLineOut:
        coerce_time(patch.due, field="due")
        return self.ctx.writer.run(lambda tx: self.update_line_in(tx, actor, line_id, patch))

    def update_line_in(
        self, tx: Tx, actor: Actor, line_id: str, patch: PlanLinePatch
    ) -> PlanLineOut:
        s = tx.session

        def amend(row: PlanLineRow) -> None:
            plan = s.get(PlanRow, row.plan_id)
            for key in (
                "title",
                "title_ja",
                "detail",
                "detail_ja",
                "coordination",
                "coordination_ja",
                "component",
                "state",
            ):
                value = getattr(patch, key)
                if value is not None:
                    setattr(row, key, value)
            if patch.phase_id is not None:
                row.phase_id = patch.phase_id
            if plan is not None and row.state == "active":
                _check_phase_id(plan, row.phase_id)  # moved, or brought back
            if patch.due is not None:
                row.due = coerce_time(patch.due, field="due")
            if patch.unit_ids is not None:
                row.unit_ids = self._line_units(s, actor, patch.unit_ids)

        def new_edit(row: PlanLineRow) -> None:
            row.edits += 1

        try:
            row = change_owned(
                tx,
                actor,
                LINE,
                line_id,
                hosted=self.ctx.hosted,
                action=Action.CHANGE,
                version=patch.version,
                change=amend,
                changed=new_edit,
                event="plans.line.amended",
            )
        except Forbidden as exc:
            if exc.code != "not_owner_nation":
                raise
            owner = LINE.find(s, actor.nation, line_id).owner
            raise Forbidden(
                Text(
                    f"This line of the plan belongs to {owner}: only {owner}'s chain of command "
                    f"changes it. {actor.nation} may comment on it or propose a change "
                    "(POST /api/v1/plans/{plan_id}/comments, kind 'proposal').",
                    f"この計画の系列は{owner}の所有です。変更できるのは{owner}の指揮系統のみです。"
                    f"{actor.nation}は意見を述べるか、変更を提案できます（kind「proposal」）。",
                ),
                code="not_owner_nation",
            ) from None
        return line_view(row)


__all__ = ["PLAN_WORD", "Plans"]
