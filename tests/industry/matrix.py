"""The industry desk in the authorization matrix (found by
``tests/api/matrix_desks``).

A solve on request reads nothing stored: any signed-in user may ask for one.
A dataset is national only, whatever is asked: the partner never sees it.
Releasing its aggregates is a commander's decision of the owning nation; a
joint plan is solved by the owner's commanders and staff on their own
dataset and the partner's release, and each participant's commander
approves it. Each side holds a dataset, a release to the partner and a joint
plan on both (released), and a plan of its own alone (national).
"""

from __future__ import annotations

from typing import Any

from alliance.core.authority import Role
from alliance.industry import DESK, IndustryDesk, parse_model
from alliance.industry.records import DatasetIn, JointApprovalIn, JointPlanIn, ReleaseIn
from alliance.industry.rows import JointPlanRow
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_rules import (
    API,
    CDR,
    CDR_STAFF,
    CREATED,
    EVERYONE,
    OK,
    Call,
    Expect,
    Row,
    Rule,
    Subject,
    node_role,
    owner_acts,
    signed_in,
    view,
)
from tests.api.matrix_world import NAT, PARTNER, REL, Side, actor

from .models import hand, own

IND = f"{API}/industry"
VIEW: Rule = view()
PLAN_KIND, DATASET, RELEASE = "industry_plan", "industry_dataset", "industry_release"
APPROVAL = "industry_plan_approval"


def _desk(side: Side) -> IndustryDesk:
    return side.node.desk("industry", IndustryDesk)


def _dataset(side: Side, name: str) -> str:
    data = DatasetIn(name=name, model=parse_model(own(side.nation)))
    return _desk(side).create_dataset(actor(side.nation), data).id


def _create(side: Side) -> None:
    desk, cdr = _desk(side), actor(side.nation)
    dataset = _dataset(side, "MX dataset")
    side.objects[(DATASET, NAT)] = dataset
    release = desk.release(cdr, dataset, ReleaseIn(to=[side.partner]))
    side.objects[(RELEASE, REL)] = release.id
    # A plan of the nation alone (no partner's release): national.
    alone = JointPlanIn(title="MX own plan", dataset_id=dataset, release_ids=[], time_limit_s=10)
    side.objects[(PLAN_KIND, NAT)] = desk.create_plan(cdr, alone).id


def _joint(side: Side, other: Side) -> None:
    """Once the partner's release is here: a joint plan on it (released to the
    partner), which the side's commander approves."""
    desk, cdr = _desk(side), actor(side.nation)
    data = JointPlanIn(
        title="MX joint plan",
        dataset_id=side.obj(DATASET, NAT),
        release_ids=[other.obj(RELEASE, REL)],
        time_limit_s=10,
    )
    plan = desk.create_plan(cdr, data)
    side.objects[(PLAN_KIND, REL)] = plan.id
    approved = desk.approve(cdr, plan.id, JointApprovalIn(content_hash=plan.content_hash))
    side.objects[(APPROVAL, REL)] = approved.id


def _plan_body(c: Call, _ident: str) -> dict[str, Any]:
    return {
        "title": f"MX plan {c.serial}",
        "dataset_id": c.side.obj(DATASET, NAT),
        "release_ids": [c.other.obj(RELEASE, REL)],
        "time_limit_s": 10,
    }


def _fresh_plan(c: Call) -> str:
    data = JointPlanIn.model_validate(_plan_body(c, ""))
    return _desk(c.side).create_plan(actor(c.side.nation), data).id


def _fresh_dataset(c: Call) -> str:
    return _dataset(c.side, f"MX fresh {c.serial}")


def _approval_body(c: Call, ident: str) -> dict[str, Any]:
    """The current content hash of the plan, as the caller's node holds it."""
    with c.side.node.db.read() as s:
        row = s.get(JointPlanRow, ident)
        current = row.content_hash if row is not None else "sha256:" + "0" * 64
    return {"content_hash": current, "note": f"MX {c.serial}"}


def participant_commander(ok: Expect) -> Rule:
    """A commander of any participating nation, on a plan they see."""
    base = view(ok)

    def rule(role: Role, s: Subject) -> Expect:
        found = base(role, s)
        if found != ok:
            return found
        return ok if role in CDR else Expect(403, "role_not_authorized")

    return rule


def _plot(c: Call, ident: str) -> str:
    return f"{IND}/plans/{ident}/plots/deliveries.svg"


def _export(c: Call, ident: str) -> str:
    return f"{IND}/plans/{ident}/export.csv"


MATRIX = DeskMatrix(
    desk=DESK,
    rows=(
        Row("GET", f"{IND}/example", signed_in(OK)),
        Row("POST", f"{IND}/solve", signed_in(OK), body=lambda _c, _i: {"model": hand()}),
        Row("GET", f"{IND}/datasets", signed_in(OK)),
        Row(
            "POST",
            f"{IND}/datasets",
            node_role(CDR_STAFF, CREATED),
            body=lambda c, _i: {"name": f"MX {c.serial}", "model": own(c.side.nation)},
        ),
        Row("GET", f"{IND}/datasets/{{dataset_id}}", VIEW, DATASET),
        Row(
            "PATCH",
            f"{IND}/datasets/{{dataset_id}}",
            owner_acts(CDR_STAFF, OK),
            DATASET,
            body=lambda c, _i: {"name": f"MX renamed {c.serial}"},
            fresh=True,
            make=_fresh_dataset,
        ),
        Row(
            "POST",
            f"{IND}/datasets/{{dataset_id}}/releases",
            owner_acts(CDR, CREATED),
            DATASET,
            body=lambda c, _i: {"to": [PARTNER[c.side.nation]]},
        ),
        Row("GET", f"{IND}/releases", signed_in(OK)),
        Row("GET", f"{IND}/releases/{{release_id}}", VIEW, RELEASE),
        Row("GET", f"{IND}/plans", signed_in(OK)),
        Row("POST", f"{IND}/plans", node_role(CDR_STAFF, CREATED), body=_plan_body),
        Row("GET", f"{IND}/plans/{{plan_id}}", VIEW, PLAN_KIND),
        Row(
            "POST",
            f"{IND}/plans/{{plan_id}}/revisions",
            owner_acts(CDR_STAFF, OK),
            PLAN_KIND,
            body=lambda _c, _i: {"time_limit_s": 10},
            fresh=True,
            make=_fresh_plan,
        ),
        Row(
            "POST",
            f"{IND}/plans/{{plan_id}}/approvals",
            participant_commander(CREATED),
            PLAN_KIND,
            body=_approval_body,
        ),
        Row(
            "GET", f"{IND}/plans/{{plan_id}}/plots/{{what}}.{{fmt}}", VIEW, PLAN_KIND, path_of=_plot
        ),
        Row("GET", f"{IND}/plans/{{plan_id}}/export.{{fmt}}", VIEW, PLAN_KIND, path_of=_export),
        # The owner's own per-line plan: solved again for the owner alone.
        Row("GET", f"{IND}/plans/{{plan_id}}/detail", owner_acts(EVERYONE, OK), PLAN_KIND),
    ),
    type_routes={
        DATASET: f"GET {IND}/datasets/{{dataset_id}}",
        RELEASE: f"GET {IND}/releases/{{release_id}}",
        PLAN_KIND: f"GET {IND}/plans/{{plan_id}}",
        APPROVAL: f"POST {IND}/plans/{{plan_id}}/approvals",
    },
    create=_create,
    after_drain=_joint,
)
