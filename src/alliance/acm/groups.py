"""Working groups, their meetings and action items.

A working group has members from at least two nations. Each member nation
writes its own meetings and action items in the group, held by the chain of
command of the HQ its members come from.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Target, require_member
from alliance.core.dtg import coerce_time
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import claim_id, new_id
from alliance.core.markings import Marking
from alliance.org import HQ as HQ_TYPE
from alliance.org import HqRow
from alliance.store.owned import change_owned, create_owned, released_to, visible
from alliance.store.writer import Tx

from .common import (
    ACTION_ITEM,
    GROUP,
    MEETING,
    AcmBase,
    action_view,
    group_view,
    held_by,
    meeting_view,
)
from .models import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    Member,
    WorkingGroupIn,
    WorkingGroupOut,
)
from .tables import ActionItemRow, MeetingRow, WorkingGroupRow

_GROUP = Text("working group", "作業部会")


class Groups(AcmBase):
    """Working groups, meetings and action items."""

    def _group(self, s: Session, actor: Actor, group_id: str) -> WorkingGroupRow:
        return GROUP.find(s, actor.nation, group_id, "group_id")

    def list_groups(self, actor: Actor) -> list[WorkingGroupOut]:
        stmt = released_to(select(WorkingGroupRow), WorkingGroupRow, actor.nation).order_by(
            WorkingGroupRow.id
        )
        with self.ctx.db.read() as s:
            return [group_view(r) for r in s.scalars(stmt)]

    def create_group(self, actor: Actor, data: WorkingGroupIn) -> WorkingGroupOut:
        _check_group(actor, data)  # bad input is refused before the writer
        return self.ctx.writer.run(lambda tx: self.create_group_in(tx, actor, data))

    def create_group_in(self, tx: Tx, actor: Actor, data: WorkingGroupIn) -> WorkingGroupOut:
        marking = _check_group(actor, data)
        s = tx.session
        _check_member_hqs(s, actor, data.members)
        chain = held_by(s, [m.model_dump() for m in data.members], actor.nation)
        grant = self._authorize(
            actor, Action.CREATE, Target("working_group", "new", actor.nation, marking, chain)
        )
        row = WorkingGroupRow(
            id=claim_id(actor.nation, data.id, lambda i: s.get(WorkingGroupRow, i) is not None),
            name_en=data.name_en,
            name_ja=data.name_ja,
            purpose=data.purpose,
            members=[m.model_dump() for m in data.members],
            state="active",
        )
        create_owned(
            tx,
            GROUP,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event="acm.group.created",
        )
        return group_view(row)

    # -- meetings --------------------------------------------------------------

    def add_meeting(self, actor: Actor, group_id: str, data: MeetingIn) -> MeetingOut:
        coerce_time(data.starts_at, field="starts_at")  # bad input is refused before the writer
        return self.ctx.writer.run(lambda tx: self.add_meeting_in(tx, actor, group_id, data))

    def add_meeting_in(self, tx: Tx, actor: Actor, group_id: str, data: MeetingIn) -> MeetingOut:
        starts = coerce_time(data.starts_at, field="starts_at")
        assert starts is not None
        s = tx.session
        group = self._group(s, actor, group_id)
        require_member(actor, {m["nation"] for m in group.members}, _GROUP)
        chain = held_by(s, group.members, actor.nation)
        grant = self._authorize(
            actor, Action.CREATE, Target("meeting", "new", actor.nation, group.marking, chain)
        )
        row = MeetingRow(
            id=new_id(),
            group_id=group.id,
            starts_at=starts,
            location=data.location,
            agenda=data.agenda,
            minutes=data.minutes,
        )
        create_owned(
            tx,
            MEETING,
            row,
            owner=actor.nation,
            marking=group.marking,
            actor=actor,
            grant=grant,
            event="acm.meeting.created",
        )
        return meeting_view(row)

    def update_meeting(self, actor: Actor, meeting_id: str, patch: MeetingPatch) -> MeetingOut:
        return self.ctx.writer.run(lambda tx: self.update_meeting_in(tx, actor, meeting_id, patch))

    def update_meeting_in(
        self, tx: Tx, actor: Actor, meeting_id: str, patch: MeetingPatch
    ) -> MeetingOut:
        def change(row: MeetingRow) -> None:
            for key, value in patch.model_dump(exclude={"version"}, exclude_none=True).items():
                setattr(row, key, value)

        row = change_owned(
            tx,
            actor,
            MEETING,
            meeting_id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=patch.version,
            change=change,
            event="acm.meeting.updated",
        )
        return meeting_view(row)

    def list_meetings(self, actor: Actor, group_id: str) -> list[MeetingOut]:
        with self.ctx.db.read() as s:
            self._group(s, actor, group_id)
            stmt = released_to(select(MeetingRow), MeetingRow, actor.nation).where(
                MeetingRow.group_id == group_id
            )
            return [meeting_view(r) for r in s.scalars(stmt.order_by(MeetingRow.starts_at))]

    # -- action items ----------------------------------------------------------

    def add_action(self, actor: Actor, group_id: str, data: ActionItemIn) -> ActionItemOut:
        """A nation commits itself to an action; only it changes the item later."""
        coerce_time(data.due, field="due")  # bad input is refused before the writer
        return self.ctx.writer.run(lambda tx: self.add_action_in(tx, actor, group_id, data))

    def add_action_in(
        self, tx: Tx, actor: Actor, group_id: str, data: ActionItemIn
    ) -> ActionItemOut:
        due = coerce_time(data.due, field="due")
        s = tx.session
        group = self._group(s, actor, group_id)
        require_member(actor, {m["nation"] for m in group.members}, _GROUP)
        if data.meeting_id is not None:
            meeting = visible(
                s.get(MeetingRow, data.meeting_id),
                actor.nation,
                "meeting",
                data.meeting_id,
                "meeting_id",
            )
            if meeting.group_id != group.id:
                raise InvalidInput(
                    Text(
                        "That meeting belongs to another group.",
                        "その会議は別の作業部会のものです。",
                    ),
                    field="meeting_id",
                    code="wrong_group",
                )
        chain = held_by(s, group.members, actor.nation)
        grant = self._authorize(
            actor,
            Action.CREATE,
            Target("action_item", "new", actor.nation, group.marking, chain),
        )
        row = ActionItemRow(
            id=new_id(),
            group_id=group.id,
            meeting_id=data.meeting_id,
            title=data.title,
            title_ja=data.title_ja or None,  # none given: NULL, as before 0016
            assignee=data.assignee,
            due=due,
            state="open",
        )
        create_owned(
            tx,
            ACTION_ITEM,
            row,
            owner=actor.nation,
            marking=group.marking,
            actor=actor,
            grant=grant,
            event="acm.action.created",
        )
        return action_view(row)

    def update_action(self, actor: Actor, item_id: str, patch: ActionItemPatch) -> ActionItemOut:
        if patch.due is not None:
            coerce_time(patch.due, field="due")  # bad input is refused before the writer
        return self.ctx.writer.run(lambda tx: self.update_action_in(tx, actor, item_id, patch))

    def update_action_in(
        self, tx: Tx, actor: Actor, item_id: str, patch: ActionItemPatch
    ) -> ActionItemOut:
        due = coerce_time(patch.due, field="due") if patch.due is not None else None

        def change(row: ActionItemRow) -> None:
            if patch.state is not None:
                row.state = patch.state
            if patch.assignee is not None:
                row.assignee = patch.assignee
            if due is not None:
                row.due = due

        row = change_owned(
            tx,
            actor,
            ACTION_ITEM,
            item_id,
            hosted=self.ctx.hosted,
            action=Action.CHANGE,
            version=patch.version,
            change=change,
            event="acm.action.updated",
        )
        return action_view(row)

    def list_actions(self, actor: Actor, group_id: str) -> list[ActionItemOut]:
        with self.ctx.db.read() as s:
            self._group(s, actor, group_id)
            stmt = released_to(select(ActionItemRow), ActionItemRow, actor.nation).where(
                ActionItemRow.group_id == group_id
            )
            return [action_view(r) for r in s.scalars(stmt.order_by(ActionItemRow.created_at))]


def _check_group(actor: Actor, data: WorkingGroupIn) -> Marking:
    """The group's marking, once its members are two nations or more (the
    actor's among them, with an HQ named) and it is released to every one."""
    nations = sorted({m.nation for m in data.members})
    marking = data.marking.build(actor.nation)
    if len(nations) < 2 or actor.nation not in nations:
        raise InvalidInput(
            Text(
                "A working group has members from at least two nations, yours among them.",
                "作業部会には自国を含む2か国以上のメンバーが必要です。",
            ),
            field="members",
            code="not_bilateral",
        )
    missing = sorted(set(nations) - marking.releasable_to)
    if missing:
        raise InvalidInput(
            Text(
                f"The marking must release the group to every member nation ({', '.join(missing)}).",
                f"区分は全メンバー国（{', '.join(missing)}）への提供を許す必要があります。",
            ),
            field="marking.releasable_to",
            code="not_released_to_members",
        )
    if not any(m.nation == actor.nation and m.hq_id for m in data.members):
        raise InvalidInput(
            Text(
                f"Name the HQ your nation's members come from (members[].hq_id): that HQ's "
                f"chain of command holds {actor.nation}'s meetings and action items in the group.",
                f"自国メンバーの所属司令部（members[].hq_id）を指定してください。その司令部の"
                f"指揮系統が作業部会における{actor.nation}の会議と行動項目を保持します。",
            ),
            field="members",
            code="no_member_hq",
        )
    return marking


def _check_member_hqs(s: Session, actor: Actor, members: list[Member]) -> None:
    """A member's HQ is an HQ of the member's nation. The actor's own nation's
    HQs are all known here; a partner HQ this node does not show the actor is
    taken as given (it is checked where that nation holds it)."""
    for i, member in enumerate(members):
        if member.hq_id is None:
            continue
        field = f"members.{i}.hq_id"
        row = s.get(HqRow, member.hq_id)
        if member.nation == actor.nation:
            row = visible(row, actor.nation, HQ_TYPE.label, member.hq_id, field)
        elif row is None or not row.marking.releases_to(actor.nation):
            continue
        if row.owner != member.nation:
            raise InvalidInput(
                Text(
                    f"'{member.hq_id}' is a {row.owner} HQ; a {member.nation} member comes "
                    f"from a {member.nation} HQ.",
                    f"「{member.hq_id}」は{row.owner}の司令部です。{member.nation}のメンバーは"
                    f"{member.nation}の司令部に所属します。",
                ),
                field=field,
                code="member_hq_wrong_nation",
            )
