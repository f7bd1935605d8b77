"""The disclosure desk in the authorization matrix (found by ``tests/api/matrix_desks``).

A disclosure proposal is the owning nation's own business (national-only):
the partner never sees it, released or not. Proposing is the owner's chain of
command's (commander, staff officer); approving and rejecting, only the
owning nation's foreign disclosure officer's (the node's default disclosure
role). ``disclosure_proposal`` is exercised by the approve route; the reject
route has proposals of its own, so that neither uses up the other's. Both are
listed national-only (they are, whatever the HQ's release), so no partner
ever sees them.

Standing guidance is national-only too: any user of the nation reads it;
issuing and revoking are the foreign disclosure officer's. The matrix's own
guidance (for action items to GBR, which no other row relies on) is what the
revoke route uses up.
"""

from __future__ import annotations

from typing import Any

from alliance.core.authority import Actor, Role
from alliance.disclosure import (
    DESK,
    DisclosureDesk,
    GuidanceIn,
    ProposalDecisionIn,
    ProposalIn,
)
from alliance.org import hq_chain
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_rules import (
    API,
    CDR_STAFF,
    CREATED,
    NOT_FOUND,
    OK,
    Call,
    Expect,
    Row,
    Rule,
    Subject,
    owner_acts,
    signed_in,
)
from tests.api.matrix_world import NAT, REL, TOP_HQ, Side, actor

ROLE_REQUIRED = Expect(403, "disclosure_role_required")
PROPOSAL, REJECTABLE = "disclosure_proposal", "rejectable_proposal"
GUIDANCE = "disclosure_guidance"


def own_only(ok: Expect = OK) -> Rule:
    """A national-only object of the owner: anyone of its nation sees it; to the
    partner, and for an unknown id, it does not exist."""
    return lambda _role, s: ok if s.whose == "own" else NOT_FOUND


def disclosure_officer(ok: Expect) -> Rule:
    """Only the owning nation's foreign disclosure officer decides."""

    def rule(role: Role, s: Subject) -> Expect:
        if s.whose != "own":
            return NOT_FOUND
        return ok if role is Role.FOREIGN_DISCLOSURE_OFFICER else ROLE_REQUIRED

    return rule


def _proposal_body(c: Call, hq: str) -> dict[str, Any]:
    return {
        "object_type": "hq",
        "object_id": hq,
        "releasable_to": ["AUS"],
        "reason": f"Matrix proposal {c.serial}",
    }


def _release_to_aus(side: Side, desk: DisclosureDesk, hq: str) -> None:
    """Release ``hq`` to AUS the only way there is: proposed by its commander,
    approved by the nation's foreign disclosure officer."""
    n = side.nation
    cdr = Actor(f"mx-{n}-cdr-{hq}", f"{n} commander {hq}", n, hq, Role.COMMANDER)
    fdo = Actor(f"mx-{n}-fdo", f"{n} fdo", n, TOP_HQ[n], Role.FOREIGN_DISCLOSURE_OFFICER)
    data = ProposalIn(object_type="hq", object_id=hq, releasable_to=["AUS"], reason="Matrix")
    desk.approve(fdo, desk.propose(cdr, data).id, ProposalDecisionIn())


def _create(side: Side) -> None:
    """Proposals to release each of the nation's matrix HQs to a third nation,
    by its commander: one set for approving, one for rejecting. Their superior
    HQs are released to that nation first (a released HQ never names an
    unreleased one)."""
    desk = side.node.desk("disclosure", DisclosureDesk)
    with side.node.db.read() as s:
        superiors = hq_chain(s, TOP_HQ[side.nation])
    for hq in reversed(superiors):
        _release_to_aus(side, desk, hq)
    for kind, mark in ((PROPOSAL, NAT), (REJECTABLE, REL)):
        data = ProposalIn(
            object_type="hq",
            object_id=side.obj("hq", mark),
            releasable_to=["AUS"],
            reason=f"Matrix {kind} {mark}",
        )
        # A proposal is national-only, whatever the HQ's release: listed as such.
        side.objects[(kind, NAT)] = desk.propose(actor(side.nation), data).id
    n = side.nation
    fdo = Actor(f"mx-{n}-fdo", f"{n} fdo", n, TOP_HQ[n], Role.FOREIGN_DISCLOSURE_OFFICER)
    guidance = GuidanceIn(object_types=["action_item"], releasable_to=["GBR"], note="Matrix")
    side.objects[(GUIDANCE, NAT)] = desk.issue_guidance(fdo, guidance).id


def _guidance_body(c: Call, _ident: str) -> dict[str, Any]:
    return {"object_types": ["action_item"], "releasable_to": ["GBR"], "note": f"Matrix {c.serial}"}


def fdo_creates(role: Role, _s: Subject) -> Expect:
    return CREATED if role is Role.FOREIGN_DISCLOSURE_OFFICER else ROLE_REQUIRED


MATRIX = DeskMatrix(
    desk=DESK,
    rows=(
        Row("GET", f"{API}/disclosure/proposals", signed_in(OK)),
        Row(
            "POST",
            f"{API}/disclosure/proposals",
            owner_acts(CDR_STAFF, CREATED),
            "hq",
            _proposal_body,
        ),
        Row("GET", f"{API}/disclosure/proposals/{{proposal_id}}", own_only(), kind=PROPOSAL),
        Row(
            "POST",
            f"{API}/disclosure/proposals/{{proposal_id}}/approve",
            disclosure_officer(OK),
            PROPOSAL,
            lambda _c, _i: {},
        ),
        Row(
            "POST",
            f"{API}/disclosure/proposals/{{proposal_id}}/reject",
            disclosure_officer(OK),
            REJECTABLE,
            lambda _c, _i: {"note": "Not needed."},
        ),
        Row("GET", f"{API}/disclosure/guidance", signed_in(OK)),
        Row("POST", f"{API}/disclosure/guidance", fdo_creates, body=_guidance_body),
        Row(
            "POST",
            f"{API}/disclosure/guidance/{{guidance_id}}/revoke",
            disclosure_officer(OK),
            GUIDANCE,
            lambda _c, _i: {},
        ),
    ),
    type_routes={
        PROPOSAL: f"POST {API}/disclosure/proposals/{{proposal_id}}/approve",
        GUIDANCE: f"POST {API}/disclosure/guidance/{{guidance_id}}/revoke",
    },
    create=_create,
)
