"""The coordination lifecycle, derived (never stored twice).

draft → sent → acknowledged → answered (an RFI) or concurred / non-concurred →
decided or closed; withdrawn at any point before a decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from alliance.core.i18n import Text

from .models import CONCURRING, POSITIONS, Level, RequestKind, ResponseKind, Status
from .tables import CoordinationRequestRow, CoordinationResponseRow

STATUS_NAMES: dict[Status, Text] = {
    Status.DRAFT: Text("draft", "起案中"),
    Status.SENT: Text("sent", "送付済"),
    Status.ACKNOWLEDGED: Text("acknowledged", "受領確認済"),
    Status.ANSWERED: Text("answered", "回答済"),
    Status.CONCURRED: Text("concurred", "同意済"),
    Status.NON_CONCURRED: Text("non-concurred", "不同意"),
    Status.DECIDED: Text("decided", "決定済"),
    Status.CLOSED: Text("closed", "完結"),
    Status.WITHDRAWN: Text("withdrawn", "取下げ"),
}

# The ACM's tiers, as the 2015 Guidelines name them.
LEVEL_NAMES: dict[Level, Text] = {
    Level.ACG: Text("Alliance Coordination Group (ACG)", "同盟調整グループ（ACG）"),
    Level.BOCC: Text("Bilateral Operations Coordination Center (BOCC)", "共同運用調整所（BOCC）"),
    Level.CCC: Text("Component Coordination Center (CCC)", "各自衛隊及び米軍各軍間の調整所（CCC）"),
}

_POSITION_KINDS = {k.value for k in POSITIONS}
_CONCURRING = {k.value for k in CONCURRING}


def latest_positions(
    responses: Iterable[CoordinationResponseRow], revision: int
) -> dict[str, CoordinationResponseRow]:
    """Each nation's latest position (concur, concur with comment, non-concur) on ``revision``."""
    out: dict[str, CoordinationResponseRow] = {}
    for r in sorted(responses, key=lambda r: (r.created_at, r.id)):
        if r.request_revision == revision and r.kind in _POSITION_KINDS:
            out[r.owner] = r
    return out


def answered_by(responses: Iterable[CoordinationResponseRow], revision: int) -> set[str]:
    """The nations that answered ``revision`` of an RFI."""
    return {
        r.owner
        for r in responses
        if r.request_revision == revision and r.kind == ResponseKind.ANSWER.value
    }


def awaiting(
    req: CoordinationRequestRow,
    responses: list[CoordinationResponseRow],
    participants: Mapping[str, str],
) -> list[str]:
    """Who the coordination waits for: an RFI's addressees until they answer;
    otherwise every participant until it concurs."""
    if req.state != "sent":
        return []
    if req.kind == RequestKind.RFI.value:
        partners = set(participants) - {req.owner}
        return sorted(partners - answered_by(responses, req.revision))
    positions = latest_positions(responses, req.revision)
    return sorted(
        n for n in participants if n not in positions or positions[n].kind not in _CONCURRING
    )


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
    if req.kind == RequestKind.RFI.value and partners & answered_by(responses, req.revision):
        return Status.ANSWERED
    positions = latest_positions(responses, req.revision)
    partner_positions = {n: p.kind for n, p in positions.items() if n in partners}
    if ResponseKind.NON_CONCUR.value in partner_positions.values():
        return Status.NON_CONCURRED
    if partners and all(partner_positions.get(n) in _CONCURRING for n in partners):
        return Status.CONCURRED
    if any(r.owner in partners and r.request_revision == req.revision for r in responses):
        return Status.ACKNOWLEDGED
    return Status.SENT
