"""The coordination lifecycle, derived (never stored twice).

draft → sent → acknowledged → answered (an RFI) or concurred / non-concurred →
decided or closed; withdrawn at any point before a decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from alliance.core import approval
from alliance.core.dtg import iso
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


def request_hash(req: CoordinationRequestRow) -> str:
    """The content hash of the request's current revision
    (:func:`alliance.core.approval.content_hash`): what a responder saw and
    took a position on. The revision number is part of it, so no two
    revisions share a hash."""
    return approval.content_hash(
        {
            "request": req.id,
            "revision": req.revision,
            "kind": req.kind,
            "level": req.level,
            "from_hq_id": req.from_hq_id,
            "to_hq_ids": list(req.to_hq_ids or []),
            "subject": req.subject,
            "subject_ja": req.subject_ja or "",
            "body": req.body,
            "priority": req.priority,
            "due": iso(req.due) if req.due is not None else None,
        }
    )


def _pinned(r: CoordinationResponseRow, req: CoordinationRequestRow, current: str) -> str:
    """What a response is pinned to: the hash its responder saw; for a response
    written before hashes were kept (NULL), its revision number (the current
    hash when it answered the current revision)."""
    if r.request_hash is not None:
        return r.request_hash
    return current if r.request_revision == req.revision else f"revision:{r.request_revision}"


def positions_of(
    responses: Iterable[CoordinationResponseRow],
    req: CoordinationRequestRow,
    counts: Callable[[CoordinationResponseRow], bool] = lambda _r: True,
) -> list[approval.Position]:
    """Every position (concur, concur with comment, non-concur) of ``responses``
    as the shared approval rule sees it; ``counts`` says whether one commits its
    nation."""
    current = request_hash(req)
    return [
        approval.Position(
            nation=r.owner,
            pinned=_pinned(r, req, current),
            approves=r.kind in _CONCURRING,
            counts=r.kind in _CONCURRING and counts(r),
            at=r.created_at,
            ident=r.id,
        )
        for r in responses
        if r.kind in _POSITION_KINDS
    ]


def latest_positions(
    responses: Iterable[CoordinationResponseRow], req: CoordinationRequestRow
) -> dict[str, CoordinationResponseRow]:
    """Each nation's latest position, where it is on the current revision of
    ``req`` (pinned to its content hash)."""
    rows = list(responses)
    by_id = {r.id: r for r in rows}
    current = request_hash(req)
    return {
        n: by_id[p.ident]
        for n, p in approval.latest(positions_of(rows, req)).items()
        if p.pinned == current
    }


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
    positions = latest_positions(responses, req)
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
    positions = latest_positions(responses, req)
    partner_positions = {n: p.kind for n, p in positions.items() if n in partners}
    if ResponseKind.NON_CONCUR.value in partner_positions.values():
        return Status.NON_CONCURRED
    if partners and all(partner_positions.get(n) in _CONCURRING for n in partners):
        return Status.CONCURRED
    if any(r.owner in partners and r.request_revision == req.revision for r in responses):
        return Status.ACKNOWLEDGED
    return Status.SENT
