"""The MSEL: each nation's injects in an exercise.

An inject is written by an editor of the owning nation (or its exercise
owner), national-only; ``marking`` names what its delivery will release, and
releasing beyond the owner is judged now, when the row is written, by the
release gate (standing disclosure guidance for delivered injects), not when
the scheduler delivers it. The addressed HQ must be a participant's, and a
partner's HQ can only be addressed by an inject whose delivery is released to
that partner (else it would never arrive).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Grant, Target
from alliance.core.errors import Conflict, InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.org import HQ as HQ_TYPE
from alliance.org import HqRow, hq_chain
from alliance.store import release_gate
from alliance.store.owned import change_owned, create_owned, released_to, visible
from alliance.store.writer import Tx

from .common import (
    INJECT,
    ExerciseBase,
    inject_due_ex,
    inject_view,
    national,
    participant_hq,
    release_marking,
    require_participant_nation,
    require_role,
    set_release,
)
from .models import (
    ExerciseRole,
    InjectIn,
    InjectOut,
    InjectPatch,
    InjectQuery,
    InjectState,
    InjectStepIn,
    parse_h_plus,
)
from .tables import ExerciseRow, InjectRow, ObjectiveRow


def check_when(data_due: object, h_plus: str | None) -> int | None:
    """Exactly one of an exercise DTG and an H+ time; the H+ as seconds."""
    if (data_due is None) == (h_plus is None or h_plus == ""):
        raise InvalidInput(
            Text(
                "Give the inject's time as an exercise DTG (due) or relative to H-hour "
                "(h_plus, e.g. H+01:30), exactly one of them.",
                "状況付与の時刻は演習日時（due）またはH時基準（h_plus、例: H+01:30）の"
                "いずれか一方で指定してください。",
            ),
            field="due",
            code="due_or_h_plus",
        )
    if h_plus:
        offset = parse_h_plus(h_plus)
        if offset is None:
            raise InvalidInput(
                Text(
                    f"'{h_plus}' is not a time relative to H-hour: write H+HH:MM, H+HH:MM:SS "
                    "or H+2d03:00 (H- before H-hour).",
                    f"「{h_plus}」はH時基準の時刻ではありません。H+HH:MM、H+HH:MM:SS"
                    "またはH+2d03:00の形式で記入してください（H時前はH-）。",
                ),
                field="h_plus",
                code="bad_h_plus",
            )
        return offset
    return None


def check_addressee(
    s: Session, actor: Actor, exercise: ExerciseRow, hq_id: str, release: Marking, owner: str
) -> HqRow:
    """The addressed HQ: visible, a participant's, and reached by the release."""
    hq = visible(s.get(HqRow, hq_id), actor.nation, HQ_TYPE.label, hq_id, "addressee_hq_id")
    if participant_hq(exercise, hq.owner) is None:
        raise InvalidInput(
            Text(
                f"HQ '{hq_id}' is {hq.owner}'s, and {hq.owner} takes no part in the exercise.",
                f"司令部「{hq_id}」は{hq.owner}の司令部ですが、{hq.owner}は演習に参加していません。",
            ),
            field="addressee_hq_id",
            code="addressee_not_participant",
        )
    if hq.owner != owner and not release.releases_to(hq.owner):
        raise InvalidInput(
            Text(
                f"The inject is addressed to {hq.owner}'s HQ '{hq_id}' but its marking does not "
                f"release it to {hq.owner}: it could never be delivered. Add {hq.owner} to "
                "releasable_to.",
                f"状況付与は{hq.owner}の司令部「{hq_id}」宛てですが、区分が{hq.owner}への提供を"
                f"許していないため付与できません。releasable_toに{hq.owner}を追加してください。",
            ),
            field="marking.releasable_to",
            code="not_released_to_addressee",
        )
    return hq


def check_objectives(s: Session, actor: Actor, exercise: ExerciseRow, ids: list[str]) -> None:
    for i, ident in enumerate(ids):
        row = s.get(ObjectiveRow, ident)
        if row is None or row.exercise_id != exercise.id:
            raise InvalidInput(
                Text(
                    f"Exercise '{exercise.id}' has no training objective '{ident}'.",
                    f"演習「{exercise.id}」に訓練目標「{ident}」はありません。",
                ),
                field=f"objective_ids.{i}",
                code="unknown_objective",
            )
        visible(
            row, actor.nation, Text("training objective", "訓練目標"), ident, f"objective_ids.{i}"
        )


@dataclass(frozen=True, slots=True)
class NewInject:
    """What checking a new MSEL row found: its H+ offset, what its delivery
    releases, and the authority it is written under."""

    offset: int | None
    release: Marking
    grant: Grant


class Msel(ExerciseBase):
    """Writing and reading a nation's MSEL rows."""

    def create_inject(self, actor: Actor, exercise_id: str, data: InjectIn) -> InjectOut:
        return self.ctx.writer.run(lambda tx: self.create_inject_in(tx, actor, exercise_id, data))

    def create_inject_in(self, tx: Tx, actor: Actor, exercise_id: str, data: InjectIn) -> InjectOut:
        s = tx.session
        exercise = self._exercise(s, actor, exercise_id)
        require_participant_nation(exercise, actor.nation, "exercise_id")
        require_role(s, actor, exercise, ExerciseRole.EDITOR)
        checked = self.check_new_inject(tx, actor, exercise, data)
        return inject_view(self.store_new_inject(tx, actor, exercise, data, checked), exercise)

    def check_new_inject(
        self, tx: Tx, actor: Actor, exercise: ExerciseRow, data: InjectIn
    ) -> NewInject:
        """Every rule a new MSEL row of the actor's nation must meet, checked
        without writing (the sheet import checks all its rows this way first)."""
        s = tx.session
        hq_id = require_participant_nation(exercise, actor.nation, "exercise_id")
        offset = check_when(data.due, data.h_plus)
        owner = actor.nation
        release = data.marking.build(owner)
        check_addressee(s, actor, exercise, data.addressee_hq_id, release, owner)
        check_objectives(s, actor, exercise, data.objective_ids)
        serial_taken = s.scalar(
            select(InjectRow.id).where(
                InjectRow.exercise_id == exercise.id,
                InjectRow.owner == owner,
                InjectRow.serial == data.serial,
            )
        )
        if serial_taken is not None:
            raise InvalidInput(
                Text(
                    f"Serial '{data.serial}' is taken in this exercise's MSEL.",
                    f"通し番号「{data.serial}」はこの演習のMSELで既に使われています。",
                ),
                field="serial",
                code="duplicate_serial",
            )
        chain = hq_chain(s, hq_id)
        grant = self._authorize(
            actor, Action.CREATE, Target("inject", "new", owner, national(owner), chain)
        )
        # Releasing the delivery beyond the owner is decided now, by the gate.
        release_gate.check(
            s,
            actor,
            Target("inject_delivery", "new", owner, release, chain),
            frozenset(),
            release,
            tx.now,
            creating=True,
        )
        return NewInject(offset, release, grant)

    def store_new_inject(
        self, tx: Tx, actor: Actor, exercise: ExerciseRow, data: InjectIn, checked: NewInject
    ) -> InjectRow:
        owner = actor.nation
        row = InjectRow(
            id=new_id(),
            exercise_id=exercise.id,
            serial=data.serial,
            due_ex=data.due,
            offset_s=checked.offset,
            sender=data.sender,
            addressee_hq_id=data.addressee_hq_id,
            method=data.method.value,
            description=data.description,
            description_ja=data.description_ja,
            expected_action=data.expected_action,
            expected_action_ja=data.expected_action_ja,
            objective_ids=list(data.objective_ids),
            controller=data.controller,
            state="draft",
            author_id=actor.user_id,
        )
        set_release(row, checked.release)
        create_owned(
            tx,
            INJECT,
            row,
            owner=owner,
            marking=national(owner),
            actor=actor,
            grant=checked.grant,
            event="exercise.inject.created",
        )
        return row

    def approve_inject(self, actor: Actor, inject_id: str, version: int | None = None) -> InjectOut:
        return self.ctx.writer.run(lambda tx: self.approve_inject_in(tx, actor, inject_id, version))

    def approve_inject_in(
        self, tx: Tx, actor: Actor, inject_id: str, version: int | None = None
    ) -> InjectOut:
        """Approve a draft MSEL row for delivery (an approver of the owning nation)."""
        s = tx.session
        row = INJECT.find(s, actor.nation, inject_id)
        exercise = self._exercise(s, actor, row.exercise_id)
        require_role(s, actor, exercise, ExerciseRole.APPROVER)
        if row.state != InjectState.DRAFT.value:
            raise Conflict(
                Text(
                    f"Inject '{row.serial}' is {row.state}; only a draft is approved.",
                    f"状況付与「{row.serial}」は{row.state}です。承認できるのは起案中のみです。",
                ),
                code="wrong_state",
            )
        row = change_owned(
            tx,
            actor,
            INJECT,
            inject_id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=version,
            change=lambda r: setattr(r, "state", InjectState.APPROVED.value),
            event="exercise.inject.approved",
        )
        return inject_view(row, exercise)

    # -- reading the MSEL, changing and cancelling rows (issue 13, part 2) ------

    def list_injects(
        self, actor: Actor, exercise_id: str, query: InjectQuery | None = None
    ) -> list[InjectOut]:
        """The actor's nation's MSEL rows of the exercise (injects are national:
        a partner's never show), filtered by ``query``, in order of their due
        time. Reading the MSEL needs a role in the exercise (a viewer's will
        do); a user with none reads nothing of it — players see their inbox."""
        with self.ctx.db.read() as s:
            exercise = self._exercise(s, actor, exercise_id)
            require_role(s, actor, exercise, *READ_ROLES)
            rows = self.msel_rows(s, actor.nation, exercise)
            return [inject_view(r, exercise) for r in filter_injects(rows, exercise, query)]

    def msel_rows(self, s: Session, nation: str, exercise: ExerciseRow) -> list[InjectRow]:
        """The nation's own MSEL rows of the exercise, by due time then serial."""
        stmt = released_to(select(InjectRow), InjectRow, nation).where(
            InjectRow.exercise_id == exercise.id, InjectRow.owner == nation
        )
        rows = list(s.scalars(stmt))
        rows.sort(key=lambda r: (inject_due_ex(r, exercise), r.serial, r.id))
        return rows

    def update_inject(self, actor: Actor, inject_id: str, data: InjectPatch) -> InjectOut:
        return self.ctx.writer.run(lambda tx: self.update_inject_in(tx, actor, inject_id, data))

    def update_inject_in(
        self, tx: Tx, actor: Actor, inject_id: str, data: InjectPatch
    ) -> InjectOut:
        """Change an MSEL row before it is delivered (an editor of the owning
        nation). The time, the addressee, what the delivery releases and the
        objectives are checked again as a whole, as for a new row. **An approved
        row that changes goes back to draft**: the approver approved what it
        said, not what it says now, so it is approved again before delivery."""
        s = tx.session
        row = INJECT.find(s, actor.nation, inject_id)
        exercise = self._exercise(s, actor, row.exercise_id)
        require_role(s, actor, exercise, ExerciseRole.EDITOR)
        require_undelivered(row, "change")
        given = data.model_fields_set
        due, offset = row.due_ex, row.offset_s
        if "due" in given or "h_plus" in given:
            new_due = data.due if "due" in given else None
            new_h = data.h_plus if "h_plus" in given else None
            offset = check_when(new_due, new_h)
            due = new_due
        release = data.marking.build(row.owner) if data.marking is not None else None
        was_release = release_marking(row)
        after_release = release or was_release
        addressee = data.addressee_hq_id or row.addressee_hq_id
        check_addressee(s, actor, exercise, addressee, after_release, row.owner)
        objective_ids = data.objective_ids if data.objective_ids is not None else row.objective_ids
        check_objectives(s, actor, exercise, list(objective_ids))
        chain = INJECT.chain(s, row)
        disclosure = release_gate.check(
            s,
            actor,
            Target("inject_delivery", row.id, row.owner, after_release, chain),
            was_release.releasable_to,
            after_release,
            tx.now,
            creating=False,
        )
        plain = {
            "sender": data.sender,
            "method": data.method.value if data.method is not None else None,
            "description": data.description,
            "description_ja": data.description_ja,
            "expected_action": data.expected_action,
            "expected_action_ja": data.expected_action_ja,
            "controller": data.controller,
        }
        if data.description is not None and not data.description.strip():
            raise InvalidInput(
                Text("An inject needs a description.", "状況付与には内容が必要です。"),
                field="description",
                code="required",
            )

        def change(r: InjectRow) -> None:
            r.due_ex, r.offset_s = due, offset
            r.addressee_hq_id = addressee
            r.objective_ids = list(objective_ids)
            for name, value in plain.items():
                if value is not None:
                    setattr(r, name, value)
            set_release(r, after_release)

        def back_to_draft(r: InjectRow) -> None:
            if r.state == InjectState.APPROVED.value:
                r.state = InjectState.DRAFT.value

        row = change_owned(
            tx,
            actor,
            INJECT,
            inject_id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=data.version,
            change=change,
            changed=back_to_draft,
            event="exercise.inject.changed",
            extra=disclosure,
        )
        return inject_view(row, exercise)

    def cancel_inject(self, actor: Actor, inject_id: str, data: InjectStepIn) -> InjectOut:
        return self.ctx.writer.run(lambda tx: self.cancel_inject_in(tx, actor, inject_id, data))

    def cancel_inject_in(
        self, tx: Tx, actor: Actor, inject_id: str, data: InjectStepIn
    ) -> InjectOut:
        """Cancel an MSEL row before it is delivered (an editor or approver of
        the owning nation): it stays in the MSEL, cancelled, and is never
        delivered. A delivered inject has reached the players and stays."""
        s = tx.session
        row = INJECT.find(s, actor.nation, inject_id)
        exercise = self._exercise(s, actor, row.exercise_id)
        require_role(s, actor, exercise, ExerciseRole.EDITOR, ExerciseRole.APPROVER)
        require_undelivered(row, "cancel")
        row = change_owned(
            tx,
            actor,
            INJECT,
            inject_id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=data.version,
            change=lambda r: setattr(r, "state", InjectState.CANCELLED.value),
            event="exercise.inject.cancelled",
            extra={"note": data.note} if data.note else None,
        )
        return inject_view(row, exercise)


# Every role in an exercise reads its nation's MSEL.
READ_ROLES = tuple(ExerciseRole)


def require_undelivered(row: InjectRow, doing: str) -> None:
    """Refuse unless the row is a draft or approved (not yet delivered)."""
    if row.state in (InjectState.DRAFT.value, InjectState.APPROVED.value):
        return
    ja = {"change": "変更", "cancel": "取消し"}.get(doing, doing)
    raise Conflict(
        Text(
            f"Inject '{row.serial}' is {row.state}: only a draft or approved inject, not yet "
            f"delivered, can be {'changed' if doing == 'change' else 'cancelled'}.",
            f"状況付与「{row.serial}」は{row.state}です。{ja}できるのは付与前（起案中または"
            "承認済み）のみです。",
        ),
        code="wrong_state",
    )


def filter_injects(
    rows: Iterable[InjectRow], exercise: ExerciseRow, query: InjectQuery | None
) -> list[InjectRow]:
    """The rows that match every filter given in ``query``."""
    if query is None:
        return list(rows)
    text = query.q.casefold() if query.q else None
    out = []
    for r in rows:
        if query.state is not None and r.state != query.state.value:
            continue
        if query.addressee_hq_id is not None and r.addressee_hq_id != query.addressee_hq_id:
            continue
        if query.method is not None and r.method != query.method.value:
            continue
        if query.objective_id is not None and query.objective_id not in r.objective_ids:
            continue
        when = inject_due_ex(r, exercise)
        if query.due_from is not None and when < query.due_from:
            continue
        if query.due_to is not None and when > query.due_to:
            continue
        if text is not None:
            hay = " ".join(
                (
                    r.serial,
                    r.sender,
                    r.description,
                    r.description_ja,
                    r.expected_action,
                    r.expected_action_ja,
                    r.controller,
                )
            ).casefold()
            if text not in hay:
                continue
        out.append(r)
    return out
