"""A plan's revisions, read back from the ledger, and a readable diff of two.

The ledger keeps every state of the plan row and of each line (a partner's
too: the replica's events). A content change is a state whose ``edits``
differs from the object's previous one; ordered by the writer's time (then
plan before lines, then id) they number the revisions 1, 2, … exactly as the
current revision number (the sum of the edits) does, on every node that holds
them. Revision *n* is the plan and its lines after the *n*-th content change,
and its hash is computed as :func:`.common.revision_hash` computes the
current one. (Two changes made at once on two nodes are ordered by their
times once both are held; a node that has not received one yet numbers the
revision it lacks later.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from alliance.core.authority import Actor
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.models import TimeOut
from alliance.store.ledger import history
from alliance.store.owned import released_to

from .common import PlansBase, line_content, plan_content, revision_hash
from .models import Change, DiffOut, FieldChange, RevisionOut
from .tables import PLAN, PLAN_LINE, PlanLineRow

LABELS: dict[str, Text] = {
    "kind": Text("kind", "種別"),
    "title": Text("title", "表題"),
    "title_ja": Text("title (Japanese)", "表題（日本語）"),
    "purpose": Text("purpose", "目的"),
    "purpose_ja": Text("purpose (Japanese)", "目的（日本語）"),
    "hq_id": Text("HQ", "司令部"),
    "participants": Text("participants", "参加国"),
    "name": Text("name", "名称"),
    "name_ja": Text("name (Japanese)", "名称（日本語）"),
    "starts": Text("starts", "開始"),
    "ends": Text("ends", "終了"),
    "events": Text("key events", "主要事象"),
    "decision_points": Text("decision points", "決心点"),
    "branches": Text("branches", "分岐"),
    "owner": Text("owning nation", "所有国"),
    "component": Text("component", "構成部隊"),
    "phase_id": Text("phase", "段階"),
    "detail": Text("detail", "詳細"),
    "detail_ja": Text("detail (Japanese)", "詳細（日本語）"),
    "coordination": Text("coordination needs", "調整事項"),
    "coordination_ja": Text("coordination needs (Japanese)", "調整事項（日本語）"),
    "unit_ids": Text("units", "部隊"),
    "due": Text("due", "期限"),
    "state": Text("state", "状態"),
}
_WHAT = {
    "plan": Text("the plan", "計画"),
    "phase": Text("phase", "段階"),
    "line": Text("line", "系列"),
}


@dataclass
class Revision:
    number: int
    at: str
    nation: str
    object_type: str
    object_id: str
    plan: dict[str, Any]
    lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    content_hash: str = ""


def _fields(kind: str, before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(
            field=k,
            label=LABELS.get(k, Text(k, k)).as_dict(),
            before=before.get(k),
            after=after.get(k),
        )
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k) and k != "phases"
    ]


def _label(what: str, ident: str, title: str) -> dict[str, str]:
    w = _WHAT[what]
    if what == "plan":
        return w.as_dict()
    return Text(f"{w.en} {ident} ({title})", f"{w.ja} {ident}（{title}）").as_dict()


def diff(plan_id: str, a: Revision, b: Revision) -> DiffOut:
    changes: list[Change] = []
    plan_fields = _fields("plan", a.plan, b.plan)
    if plan_fields:
        changes.append(
            Change(
                what="plan",
                id=plan_id,
                change="changed",
                label=_label("plan", plan_id, ""),
                fields=plan_fields,
            )
        )
    pa = {p["id"]: p for p in a.plan.get("phases") or []}
    pb = {p["id"]: p for p in b.plan.get("phases") or []}
    for pid in [*pa, *(p for p in pb if p not in pa)]:
        before, after = pa.get(pid), pb.get(pid)
        title = (after or before or {}).get("name", "")
        label = _label("phase", pid, title)
        if before is None:
            changes.append(Change(what="phase", id=pid, change="added", label=label))
        elif after is None:
            changes.append(Change(what="phase", id=pid, change="removed", label=label))
        elif before != after:
            changes.append(
                Change(
                    what="phase",
                    id=pid,
                    change="changed",
                    label=label,
                    fields=_fields("phase", before, after),
                )
            )
    la = {i: c for i, c in a.lines.items() if c.get("state") == "active"}
    lb = {i: c for i, c in b.lines.items() if c.get("state") == "active"}
    for lid in [*la, *(i for i in lb if i not in la)]:
        before, after = la.get(lid), lb.get(lid)
        one = after or before or {}
        label = _label("line", lid, one.get("title", ""))
        owner = one.get("owner", "")
        if before is None:
            changes.append(Change(what="line", id=lid, change="added", label=label, owner=owner))
        elif after is None:
            changes.append(Change(what="line", id=lid, change="removed", label=label, owner=owner))
        elif before != after:
            changes.append(
                Change(
                    what="line",
                    id=lid,
                    change="changed",
                    label=label,
                    owner=owner,
                    fields=_fields("line", before, after),
                )
            )
    return DiffOut(
        plan_id=plan_id,
        from_revision=a.number,
        to_revision=b.number,
        from_hash=a.content_hash,
        to_hash=b.content_hash,
        changes=changes,
    )


class History(PlansBase):
    """Revisions and their diff."""

    def _revisions(self, actor: Actor, plan_id: str) -> list[Revision]:
        with self.ctx.db.read() as s:
            plan_id = self._plan(s, actor, plan_id).id
            stmt = released_to(select(PlanLineRow.id), PlanLineRow, actor.nation)
            line_ids = list(s.scalars(stmt.where(PlanLineRow.plan_id == plan_id)))
        changes: list[tuple[str, int, str, int, dict[str, Any]]] = []
        objects = [(PLAN.name, 0, plan_id)] + [(PLAN_LINE.name, 1, i) for i in line_ids]
        for object_type, order, ident in objects:
            last = 0
            for ev in history(self.ctx.db, object_type, ident, actor.nation, self.ctx.types):
                state = ev.body_json().get("data", {}).get("state")
                if not isinstance(state, dict) or state.get("edits", 0) == last:
                    continue
                last = int(state["edits"])
                changes.append((str(state["updated_at"]), order, ident, last, state))
        changes.sort(key=lambda c: (c[0], c[1], c[2], c[3]))
        out: list[Revision] = []
        plan_now: dict[str, Any] = {}
        lines: dict[str, dict[str, Any]] = {}
        edits: dict[str, int] = {}
        number = 0
        for at, order, ident, n, state in changes:
            number += n - edits.get(ident, 0)
            edits[ident] = n
            if order == 0:
                plan_now = plan_content(state)
            else:
                lines[ident] = line_content(state)
            if not plan_now:
                continue  # a line seen before its plan: not a revision of its own
            rev = Revision(
                number,
                at,
                str(state["owner"]),
                PLAN_LINE.name if order else PLAN.name,
                ident,
                dict(plan_now),
                {k: dict(v) for k, v in lines.items()},
            )
            rev.content_hash = revision_hash(plan_id, number, rev.plan, rev.lines)
            out.append(rev)
        return out

    def revisions(self, actor: Actor, plan_id: str) -> list[RevisionOut]:
        return [
            RevisionOut(
                revision=r.number,
                content_hash=r.content_hash,
                at=TimeOut.of(datetime.fromisoformat(r.at)),
                nation=r.nation,
                object_type=r.object_type,
                object_id=r.object_id,
            )
            for r in self._revisions(actor, plan_id)
        ]

    def diff(self, actor: Actor, plan_id: str, start: int, end: int | None = None) -> DiffOut:
        """What changed from revision ``start`` to ``end`` (default: the current one)."""
        revs = {r.number: r for r in self._revisions(actor, plan_id)}
        last = max(revs) if revs else 0
        end = last if end is None else end
        for name, number in (("from", start), ("to", end)):
            if number not in revs:
                raise InvalidInput(
                    Text(
                        f"The plan has no revision {number} (revisions 1–{last}).",
                        f"計画に第{number}版はありません（第1版〜第{last}版）。",
                    ),
                    field=name,
                    code="unknown_revision",
                )
        return diff(plan_id, revs[start], revs[end])


__all__ = ["LABELS", "History", "diff"]
