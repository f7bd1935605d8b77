"""The stored side of the industry desk: each nation's dataset (national
only), the aggregates it decides to release, joint plans solved on a
nation's own detail plus partners' releases, and each nation's approval of
one revision of a joint plan (see :mod:`.rows`).

A solve runs outside the node's writer: the inputs are read, the joint
model is built and solved, and only then is the plan written, in a
transaction of its own that checks again that the solver's inputs are still
what it read (a dataset or release changed in between is refused, never
silently mixed).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core import approval
from alliance.core.authority import Action, Actor, Grant, Target, authorize, require_participant
from alliance.core.errors import Conflict, Forbidden, InvalidInput, Unavailable
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.org import hq_chain
from alliance.store import release_gate
from alliance.store.context import DeskContext
from alliance.store.owned import (
    OwnedKind,
    Ref,
    change_owned,
    create_owned,
    released_to,
    view,
)
from alliance.store.writer import Tx

from .model import Model
from .plan import Plan
from .records import (
    DatasetIn,
    DatasetOut,
    DatasetPatch,
    JointApprovalIn,
    JointApprovalOut,
    JointPlanIn,
    JointPlanOut,
    JointPlanRevise,
    ReleaseIn,
    ReleaseOut,
)
from .rows import (
    INDUSTRY_DATASET,
    INDUSTRY_PLAN,
    INDUSTRY_PLAN_APPROVAL,
    INDUSTRY_RELEASE,
    DatasetRow,
    JointPlanRow,
    PlanApprovalRow,
    ReleaseRow,
)
from .solver import Options, solve
from .sovereign import Aggregate, aggregate, joint, own_part, shared_plan

PLAN_WORD = Text("joint plan", "共同生産計画")
SOLVES = 2  # solves at once on a node, each bounded by its time limit


def _chain(
    s: Session, row: DatasetRow | ReleaseRow | JointPlanRow | PlanApprovalRow
) -> tuple[str, ...]:
    return hq_chain(s, row.hq_id)


DATASET: OwnedKind[DatasetRow] = OwnedKind(INDUSTRY_DATASET, _chain)
RELEASE: OwnedKind[ReleaseRow] = OwnedKind(INDUSTRY_RELEASE, _chain)
PLAN: OwnedKind[JointPlanRow] = OwnedKind(INDUSTRY_PLAN, _chain)
APPROVAL: OwnedKind[PlanApprovalRow] = OwnedKind(
    INDUSTRY_PLAN_APPROVAL, _chain, refs=(Ref("plan_id", INDUSTRY_PLAN, "plan_id"),)
)


def _sha(hexdigest: str) -> str:
    return approval.HASH_PREFIX + hexdigest


_PARTS = {
    "lines": ("line", "ライン"),
    "suppliers": ("supplier", "供給元"),
    "expansions": ("expansion option", "拡張案"),
    "claimants": ("claimant", "需要者"),
    "stocks": ("stock of", "在庫"),
}


def require_own(model: Model, nation: str) -> None:
    """A dataset holds its nation's own detail only: a partner's lines,
    suppliers, expansions or stocks come into a joint plan as that partner's
    released aggregates, never typed into another nation's dataset."""
    parts: list[tuple[str, Sequence[tuple[str, str | None]]]] = [
        ("lines", [(x.id, x.nation) for x in model.lines]),
        ("suppliers", [(x.id, x.nation) for x in model.suppliers]),
        ("expansions", [(x.id, x.nation) for x in model.expansions]),
        (
            "claimants",
            [(c.id, c.nation if c.transfer is None else nation) for c in model.claimants],
        ),
        ("stocks", [(s.item, s.nation) for s in model.stocks]),
    ]
    for part, rows in parts:
        for i, (ident, owner) in enumerate(rows):
            if owner not in (nation, None):
                en, ja = _PARTS[part]
                raise InvalidInput(
                    Text(
                        f"The {en} '{ident}' is {owner}'s, not {nation}'s: a dataset holds its "
                        f"own nation's detail only; {owner}'s comes into a joint plan as the "
                        "aggregates it releases.",
                        f"{ja}「{ident}」は{nation}ではなく{owner}のものです。データセットには"
                        f"自国の詳細のみを入れます。{owner}の分は同国が提供する集計値として"
                        "共同計画に入ります。",
                    ),
                    field=f"model.{part}.{i}.nation",
                    code="not_own_detail",
                )


def _plan_content(row: JointPlanRow) -> dict[str, object]:
    return {
        "revision": row.revision,
        "participants": row.participants,
        "dataset_digest": row.dataset_digest,
        "release_digests": row.release_digests,
        "model_hash": row.model_hash,
        "plan": row.plan,
    }


class _Inputs:
    """What one solve of a joint plan reads: the dataset and the releases."""

    def __init__(self, dataset: DatasetRow, releases: list[ReleaseRow]) -> None:
        self.dataset_id, self.dataset_digest = dataset.id, dataset.digest
        self.release_ids = [r.id for r in releases]
        self.release_digests = [r.digest for r in releases]
        self.participants = sorted({dataset.owner, *(r.owner for r in releases)})
        self.model = joint(
            own_part(Model.model_validate(dataset.model), dataset.owner),
            [Aggregate.model_validate(r.aggregate) for r in releases],
        )

    def still_current(self, s: Session, nation: str) -> None:
        now = [DATASET.find(s, nation, self.dataset_id, "dataset_id").digest] + [
            RELEASE.find(s, nation, i, "release_ids").digest for i in self.release_ids
        ]
        if now != [self.dataset_digest, *self.release_digests]:
            raise Conflict(
                Text(
                    "The dataset or a release changed while the plan was being solved; "
                    "solve again on what stands now.",
                    "求解中にデータセット又は提供集計値が変更されました。現在の内容で再度求解してください。",
                ),
                code="inputs_changed",
            )


class JointDesk:
    """Datasets, releases, joint plans and their approvals."""

    ctx: DeskContext
    _slots: threading.BoundedSemaphore

    def _authorize(self, actor: Actor, action: Action, target: Target) -> Grant:
        return authorize(actor, action, target, hosted=self.ctx.hosted)

    # -- datasets ------------------------------------------------------------------

    def create_dataset(self, actor: Actor, data: DatasetIn) -> DatasetOut:
        return self.ctx.writer.run(lambda tx: self.create_dataset_in(tx, actor, data))

    def create_dataset_in(self, tx: Tx, actor: Actor, data: DatasetIn) -> DatasetOut:
        require_own(data.model, actor.nation)
        ident = new_id()
        marking = Marking.national(actor.nation)  # national only, always
        target = Target(
            INDUSTRY_DATASET.name, ident, actor.nation, marking, hq_chain(tx.session, actor.hq_id)
        )
        grant = self._authorize(actor, Action.CREATE, target)
        row = DatasetRow(
            id=ident,
            hq_id=actor.hq_id,
            name=data.name,
            model=data.model.model_dump(mode="json"),
            digest=_sha(data.model.digest()),
            author_id=actor.user_id,
        )
        create_owned(
            tx, DATASET, row, owner=actor.nation, marking=marking, actor=actor, grant=grant,
            event="industry.dataset.created",
        )  # fmt: skip
        return view(DatasetOut, row, model=data.model)

    def change_dataset(self, actor: Actor, ident: str, patch: DatasetPatch) -> DatasetOut:
        if patch.model is not None:
            require_own(patch.model, actor.nation)

        def change(row: DatasetRow) -> None:
            if patch.name is not None:
                row.name = patch.name
            if patch.model is not None:
                row.model = patch.model.model_dump(mode="json")
                row.digest = _sha(patch.model.digest())

        def run(tx: Tx) -> DatasetOut:
            row = change_owned(
                tx, actor, DATASET, ident, hosted=self.ctx.hosted, action=Action.CHANGE,
                version=patch.version, change=change, event="industry.dataset.changed",
            )  # fmt: skip
            return view(DatasetOut, row, model=Model.model_validate(row.model))

        return self.ctx.writer.run(run)

    def datasets(self, actor: Actor) -> list[DatasetOut]:
        with self.ctx.db.read() as s:
            stmt = released_to(select(DatasetRow), DatasetRow, actor.nation)
            rows = s.scalars(stmt.order_by(DatasetRow.created_at, DatasetRow.id)).all()
            return [view(DatasetOut, r, model=Model.model_validate(r.model)) for r in rows]

    def dataset(self, actor: Actor, ident: str) -> DatasetOut:
        with self.ctx.db.read() as s:
            row = DATASET.find(s, actor.nation, ident)
            return view(DatasetOut, row, model=Model.model_validate(row.model))

    # -- releases ------------------------------------------------------------------

    def release(self, actor: Actor, dataset_id: str, data: ReleaseIn) -> ReleaseOut:
        return self.ctx.writer.run(lambda tx: self.release_in(tx, actor, dataset_id, data))

    def release_in(self, tx: Tx, actor: Actor, dataset_id: str, data: ReleaseIn) -> ReleaseOut:
        """Release the aggregates of one of the nation's datasets to the nations
        named: the owner's decision (a commander's, in the dataset's chain),
        recorded in the ledger and gated like every release beyond the owner."""
        s = tx.session
        dataset = DATASET.find(s, actor.nation, dataset_id, "dataset_id")
        to = [n for n in data.to if n != actor.nation]
        if not to:
            raise InvalidInput(
                Text(
                    "Name at least one partner nation to release to.",
                    "提供先の相手国を一か国以上指定してください。",
                ),
                field="to",
            )
        marking = Marking.of(actor.nation, to, field="to")
        ident = new_id()
        grant = self._authorize(
            actor,
            Action.DECIDE,
            Target(INDUSTRY_RELEASE.name, ident, actor.nation, marking, _chain(s, dataset)),
        )
        released = aggregate(Model.model_validate(dataset.model), actor.nation)
        body = released.model_dump(mode="json")
        row = ReleaseRow(
            id=ident,
            hq_id=dataset.hq_id,
            name=data.name or f"{actor.nation} aggregates",  # not the dataset's own name
            dataset_digest=dataset.digest,
            aggregate=body,
            digest=approval.content_hash(body),
            note=data.note,
            author_id=actor.user_id,
        )
        create_owned(
            tx, RELEASE, row, owner=actor.nation, marking=marking, actor=actor, grant=grant,
            event="industry.release.decided",
        )  # fmt: skip
        return view(ReleaseOut, row, aggregate=released)

    def releases(self, actor: Actor) -> list[ReleaseOut]:
        with self.ctx.db.read() as s:
            stmt = released_to(select(ReleaseRow), ReleaseRow, actor.nation)
            rows = s.scalars(stmt.order_by(ReleaseRow.created_at, ReleaseRow.id)).all()
            return [_release_view(r) for r in rows]

    def release_of(self, actor: Actor, ident: str) -> ReleaseOut:
        with self.ctx.db.read() as s:
            return _release_view(RELEASE.find(s, actor.nation, ident))

    # -- joint plans ---------------------------------------------------------------

    def _inputs(self, s: Session, actor: Actor, dataset_id: str, release_ids: list[str]) -> _Inputs:
        dataset = DATASET.find(s, actor.nation, dataset_id, "dataset_id")  # own: national only
        releases: list[ReleaseRow] = []
        seen: dict[str, str] = {}
        for i, rid in enumerate(release_ids):
            rel = RELEASE.find(s, actor.nation, rid, f"release_ids.{i}")
            if rel.owner == actor.nation or rel.owner in seen:
                why = (
                    Text(
                        "is your own nation's release: your own detail is your dataset",
                        "は自国の提供集計値です。自国分はデータセットの詳細を使います",
                    )
                    if rel.owner == actor.nation
                    else Text(
                        f"is a second release of {rel.owner} (after {seen[rel.owner]}): name one "
                        "per nation",
                        f"は{rel.owner}の二つ目の提供集計値です（{seen[rel.owner]}の後）。"
                        "一か国につき一つを指定してください",
                    )
                )
                raise InvalidInput(
                    Text(f"Release {rid} {why.en}.", f"提供集計値{rid}{why.ja}。"),
                    field=f"release_ids.{i}",
                )
            seen[rel.owner] = rid
            releases.append(rel)
        return _Inputs(dataset, releases)

    def _solve(self, model: Model, time_limit_s: float) -> Plan:
        if not self._slots.acquire(blocking=False):
            raise Unavailable(
                Text(
                    f"{SOLVES} solves are running on this node; try again when one ends.",
                    f"このノードでは{SOLVES}件の求解が実行中です。終了後に再度お試しください。",
                ),
                code="solver_busy",
            )
        try:
            return solve(model, Options(time_limit_s=time_limit_s))
        finally:
            self._slots.release()

    def create_plan(self, actor: Actor, data: JointPlanIn) -> JointPlanOut:
        """Solve a joint plan on the actor's nation's dataset and the partners'
        releases, and store it released to those partners for their approval."""
        ident = new_id()

        def target(s: Session, inputs: _Inputs) -> Target:
            marking = Marking.of(actor.nation, inputs.participants)
            return Target(
                INDUSTRY_PLAN.name, ident, actor.nation, marking, hq_chain(s, actor.hq_id)
            )

        with self.ctx.db.read() as s:  # refuse what would be refused before solving
            inputs = self._inputs(s, actor, data.dataset_id, data.release_ids)
            t = target(s, inputs)
            self._authorize(actor, Action.CREATE, t)
            release_gate.check(s, actor, t, frozenset(), t.marking, self.ctx.clock(), creating=True)
        plan = self._solve(inputs.model, data.time_limit_s)

        def store(tx: Tx) -> JointPlanOut:
            s = tx.session
            inputs.still_current(s, actor.nation)
            t = target(s, inputs)
            grant = self._authorize(actor, Action.CREATE, t)
            row = JointPlanRow(
                id=ident,
                hq_id=actor.hq_id,
                title=data.title,
                participants=inputs.participants,
                revision=1,
                author_id=actor.user_id,
            )
            _solved(row, inputs, plan)
            create_owned(
                tx, PLAN, row, owner=actor.nation, marking=t.marking, actor=actor, grant=grant,
                event="industry.plan.solved",
            )  # fmt: skip
            return _plan_view(s, row, actor.nation)

        return self.ctx.writer.run(store)

    def revise_plan(self, actor: Actor, ident: str, data: JointPlanRevise) -> JointPlanOut:
        """Solve the plan again: a new revision, which every participant approves anew."""
        with self.ctx.db.read() as s:
            row = PLAN.find(s, actor.nation, ident)
            self._authorize(actor, Action.CHANGE, PLAN.target(s, row))
            dataset_id = data.dataset_id or _dataset_id(s, row)
            release_ids = data.release_ids or list(row.release_ids)
            inputs = self._inputs(s, actor, dataset_id, release_ids)
            if inputs.participants != row.participants:  # refused before solving
                raise InvalidInput(
                    Text(
                        f"A revision keeps the plan's participants ({', '.join(row.participants)}); "
                        "a plan with other nations is a new plan.",
                        f"改訂では計画の参加国（{', '.join(row.participants)}）は変わりません。"
                        "他の国との計画は新しい計画として作成してください。",
                    ),
                    field="release_ids",
                )
        plan = self._solve(inputs.model, data.time_limit_s)

        def change(row: JointPlanRow) -> None:
            row.revision += 1
            _solved(row, inputs, plan)

        def store(tx: Tx) -> JointPlanOut:
            inputs.still_current(tx.session, actor.nation)
            out = change_owned(
                tx, actor, PLAN, ident, hosted=self.ctx.hosted, action=Action.CHANGE,
                version=data.version, change=change, event="industry.plan.revised",
            )  # fmt: skip
            return _plan_view(tx.session, out, actor.nation)

        return self.ctx.writer.run(store)

    def plans(self, actor: Actor) -> list[JointPlanOut]:
        with self.ctx.db.read() as s:
            stmt = released_to(select(JointPlanRow), JointPlanRow, actor.nation)
            rows = s.scalars(stmt.order_by(JointPlanRow.created_at, JointPlanRow.id)).all()
            return [_plan_view(s, r, actor.nation) for r in rows]

    def plan(self, actor: Actor, ident: str) -> JointPlanOut:
        with self.ctx.db.read() as s:
            return _plan_view(s, PLAN.find(s, actor.nation, ident), actor.nation)

    def stored_plan(self, actor: Actor, ident: str) -> Plan:
        """The plan of a joint plan's current revision, as every participant sees it."""
        with self.ctx.db.read() as s:
            return Plan.model_validate(PLAN.find(s, actor.nation, ident).plan)

    def detail(self, actor: Actor, ident: str, time_limit_s: float = 30.0) -> Plan:
        """The owning nation's own plan in full (per line and supplier) for the
        current revision: solved again from the same inputs — the same joint
        model, by its hash, gives the same plan — and neither stored nor
        released. Refused when the inputs have changed since."""
        with self.ctx.db.read() as s:
            row = PLAN.find(s, actor.nation, ident)
            self._authorize(actor, Action.VIEW, PLAN.target(s, row))
            if actor.nation != row.owner:
                raise Forbidden(
                    Text(
                        f"The detail of this plan is {row.owner}'s own: a partner sees the plan "
                        "as shared (per nation and item).",
                        f"この計画の詳細は{row.owner}のものです。相手国は共有された計画"
                        "（国・品目ごと）を参照します。",
                    ),
                    code="not_owner_nation",
                )
            dataset_id = _dataset_id(s, row, to_detail=True)
            inputs = self._inputs(s, actor, dataset_id, list(row.release_ids))
        if _sha(inputs.model.digest()) != row.model_hash:
            raise Conflict(
                Text(
                    "A release this plan used has changed since it was solved; solve the plan "
                    "again (a new revision) to see its detail.",
                    "この計画が使用した提供集計値は求解後に変更されています。詳細を見るには"
                    "再求解してください（新しい版）。",
                ),
                code="inputs_changed",
            )
        return self._solve(inputs.model, time_limit_s)

    # -- approvals -----------------------------------------------------------------

    def approve(self, actor: Actor, plan_id: str, data: JointApprovalIn) -> JointApprovalOut:
        return self.ctx.writer.run(lambda tx: self.approve_in(tx, actor, plan_id, data))

    def approve_in(
        self, tx: Tx, actor: Actor, plan_id: str, data: JointApprovalIn
    ) -> JointApprovalOut:
        """Approve (or withdraw the approval of) the revision named by its content
        hash, which must be the current one: a commander of a participant."""
        s = tx.session
        plan = PLAN.find(s, actor.nation, plan_id, "plan_id")
        ident = new_id()
        marking = Marking.of(actor.nation, plan.participants)
        target = Target(
            INDUSTRY_PLAN_APPROVAL.name, ident, actor.nation, marking, hq_chain(s, actor.hq_id)
        )
        grant = self._authorize(actor, Action.APPROVE, target)
        require_participant(actor, plan.participants, PLAN_WORD)
        if data.content_hash != plan.content_hash:
            raise Conflict(
                Text(
                    f"The joint plan is now at revision {plan.revision} "
                    f"({plan.content_hash[:19]}…), not the content you named: an approval of "
                    "one revision never counts for another. Review the current revision.",
                    f"共同生産計画は現在第{plan.revision}版（{plan.content_hash[:19]}…）で、"
                    "指定された内容ではありません。ある版の承認は別の版には効力がありません。"
                    "現在の版を確認してください。",
                ),
                field="content_hash",
                code="stale_revision",
            )
        row = PlanApprovalRow(
            id=ident,
            hq_id=actor.hq_id,
            plan_id=plan.id,
            revision=plan.revision,
            content_hash=plan.content_hash,
            approve=data.approve,
            note=data.note,
            author_id=actor.user_id,
            author_name=actor.name,
        )
        event = "industry.plan.approved" if data.approve else "industry.plan.withdrawn"
        create_owned(
            tx, APPROVAL, row, owner=actor.nation, marking=marking, actor=actor, grant=grant,
            event=event,
        )  # fmt: skip
        return _approval_view(row, plan.content_hash)


def _dataset_id(s: Session, row: JointPlanRow, *, to_detail: bool = False) -> str:
    """The owner's dataset the plan was solved on, by its digest (the newest
    of that content): for a revision that names none, or the plan's detail."""
    stmt = select(DatasetRow).where(
        DatasetRow.digest == row.dataset_digest, DatasetRow.owner == row.owner
    )
    found = s.scalars(stmt.order_by(DatasetRow.updated_at.desc())).first()
    if found is not None:
        return found.id
    if to_detail:
        raise Conflict(
            Text(
                "The dataset this plan was solved on has changed since; solve the plan again "
                "(a new revision) to see its detail.",
                "この計画の求解に使ったデータセットはその後変更されています。詳細を見るには"
                "再求解してください（新しい版）。",
            ),
            code="inputs_changed",
        )
    raise InvalidInput(
        Text(
            "The dataset this plan was solved on has changed since: name the dataset "
            "to solve on (dataset_id).",
            "この計画の求解に使ったデータセットはその後変更されています。"
            "求解に使うデータセット（dataset_id）を指定してください。",
        ),
        field="dataset_id",
    )


def _solved(row: JointPlanRow, inputs: _Inputs, plan: Plan) -> None:
    row.dataset_digest = inputs.dataset_digest
    row.release_ids = inputs.release_ids
    row.release_digests = inputs.release_digests
    row.model_hash = _sha(plan.model_hash)
    row.plan = shared_plan(plan, inputs.model).model_dump(mode="json")
    row.content_hash = approval.content_hash(_plan_content(row))


def _release_view(row: ReleaseRow) -> ReleaseOut:
    return view(ReleaseOut, row, aggregate=Aggregate.model_validate(row.aggregate))


def _approval_view(row: PlanApprovalRow, current: str) -> JointApprovalOut:
    return view(JointApprovalOut, row, current=row.content_hash == current)


def _positions(rows: Sequence[PlanApprovalRow]) -> list[approval.Position]:
    return [
        approval.Position(r.owner, r.content_hash, r.approve, True, r.created_at, r.id)
        for r in rows
    ]


def _plan_view(s: Session, row: JointPlanRow, nation: str) -> JointPlanOut:
    stmt = released_to(select(PlanApprovalRow), PlanApprovalRow, nation).where(
        PlanApprovalRow.plan_id == row.id
    )
    rows = s.scalars(stmt.order_by(PlanApprovalRow.created_at, PlanApprovalRow.id)).all()
    awaiting = approval.missing(row.participants, _positions(rows), row.content_hash)
    return view(
        JointPlanOut,
        row,
        status="awaiting_approval" if awaiting else "approved",
        awaiting=awaiting,
        approvals=[_approval_view(r, row.content_hash) for r in rows],
        plan=Plan.model_validate(row.plan),
    )


__all__ = ["APPROVAL", "DATASET", "PLAN", "RELEASE", "JointDesk", "require_own"]
