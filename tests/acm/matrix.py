"""The ACM's delegations of concurrence authority in the authorization matrix
(found by ``tests/api/matrix_desks``; the rest of the ACM's rows are in
``tests/api/test_matrix.py``).

A commander delegates, to a named staff officer of their own HQ; the owning
chain's commander revokes; everyone lists what is released to their nation.
"""

from __future__ import annotations

from typing import Any

from alliance.acm import DESK, AcmDesk, DelegationIn, Level
from alliance.core.authority import Role
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_rules import (
    API,
    CDR,
    CREATED,
    OK,
    Call,
    Row,
    node_role,
    owner_acts,
    signed_in,
)
from tests.api.matrix_world import NAT, REL, Side, actor, marking


def _staff_id(side: Side) -> str:
    return side.node.users.authenticate(side.token(Role.STAFF_OFFICER)).user_id


def _delegation_body(c: Call, _ident: str) -> dict[str, Any]:
    return {
        "delegate_id": _staff_id(c.side),
        "level": "ccc",
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2027-01-01T00:00:00Z",
        "marking": {"releasable_to": [c.other.nation]},
    }


def _create(side: Side) -> None:
    """One delegation in each marking, by the nation's top commander to its staff officer."""
    acm = side.node.desk("acm", AcmDesk)
    for mark in (REL, NAT):
        data = DelegationIn(
            delegate_id=_staff_id(side),
            level=Level.BOCC,
            valid_from="2026-01-01T00:00:00Z",
            valid_until="2099-01-01T00:00:00Z",
            marking=marking(side.nation, mark == REL),
        )
        side.objects[("delegation", mark)] = acm.delegate(actor(side.nation), data).id


MATRIX = DeskMatrix(
    desk=DESK,
    rows=(
        Row("GET", f"{API}/acm/delegations", signed_in(OK)),
        # Delegating concurrence authority is the commander's own act, for their HQ.
        Row("POST", f"{API}/acm/delegations", node_role(CDR, CREATED), body=_delegation_body),
        Row(
            "POST",
            f"{API}/acm/delegations/{{delegation_id}}/revoke",
            owner_acts(CDR, OK),
            "delegation",
            lambda c, _i: {"note": f"matrix {c.serial}"},
        ),
    ),
    type_routes={"delegation": f"POST {API}/acm/delegations/{{delegation_id}}/revoke"},
    create=_create,
)
