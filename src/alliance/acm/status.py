"""The coordination lifecycle, derived (never stored twice).

draft → sent → acknowledged → concurred / non-concurred / counter-proposed →
decided or closed; withdrawn at any point before a decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from alliance.core.i18n import Text

from .models import POSITIONS, ResponseKind, Status
from .tables import CoordinationRequestRow, CoordinationResponseRow

STATUS_NAMES: dict[Status, Text] = {
    Status.DRAFT: Text("draft", "起案中"),
    Status.SENT: Text("sent", "送付済"),
    Status.ACKNOWLEDGED: Text("acknowledged", "受領確認済"),
    Status.CONCURRED: Text("concurred", "同意済"),
    Status.NON_CONCURRED: Text("non-concurred", "不同意"),
    Status.COUNTER_PROPOSED: Text("counter-proposed", "対案提示"),
    Status.DECIDED: Text("decided", "決定済"),
    Status.CLOSED: Text("closed", "完結"),
    Status.WITHDRAWN: Text("withdrawn", "取下げ"),
}

_POSITION_KINDS = {k.value for k in POSITIONS}


def latest_positions(
    responses: Iterable[CoordinationResponseRow], revision: int
) -> dict[str, CoordinationResponseRow]:
    """Each nation's latest position (concur / non-concur / counter-proposal) on ``revision``."""
    out: dict[str, CoordinationResponseRow] = {}
    for r in sorted(responses, key=lambda r: (r.created_at, r.id)):
        if r.request_revision == revision and r.kind in _POSITION_KINDS:
            out[r.owner] = r
    return out


def derive_status(
    req: CoordinationRequestRow,
    responses: list[CoordinationResponseRow],
    participants: Mapping[str, str],
    decided: bool,
) -> Status:
    if req.state == "draft":
        return Status.DRAFT
    if req.state == "withdrawn":
        return Status.WITHDRAWN
    if req.state == "closed":
        return Status.DECIDED if decided else Status.CLOSED
    partners = set(participants) - {req.owner}
    positions = latest_positions(responses, req.revision)
    partner_positions = {n: p.kind for n, p in positions.items() if n in partners}
    if ResponseKind.NON_CONCUR.value in partner_positions.values():
        return Status.NON_CONCURRED
    if ResponseKind.COUNTER_PROPOSAL.value in partner_positions.values():
        return Status.COUNTER_PROPOSED
    if partners and all(partner_positions.get(n) == ResponseKind.CONCUR.value for n in partners):
        return Status.CONCURRED
    if any(r.owner in partners and r.request_revision == req.revision for r in responses):
        return Status.ACKNOWLEDGED
    return Status.SENT
