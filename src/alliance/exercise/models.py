"""Exercise desk inputs and views: exercises, training objectives, exercise
roles, MSEL injects, deliveries."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from alliance.core import limits
from alliance.core.models import (
    LongText,
    MarkingIn,
    MarkingOut,
    Moment,
    Name,
    OwnedOut,
    Slug,
    Strict,
    TimeOut,
    Title,
    Trigraph,
    Version,
)
from alliance.core.text import NAME_CHARS, TEXT_CHARS

# A serial or objective code: "JPN-001", "TO-3" (one short label, never empty).
Code = Annotated[
    str,
    StringConstraints(min_length=1, max_length=limits.LABEL, strip_whitespace=True),
    NAME_CHARS,
]


class ExerciseRole(StrEnum):
    """A user's role in one exercise (Blueprint's per-MSEL roles, with the
    controller and evaluator of an exercise control cell). ``owner`` holds
    every other."""

    OWNER = "owner"
    EDITOR = "editor"  # writes the nation's MSEL rows and objectives
    APPROVER = "approver"  # approves MSEL rows for delivery
    CONTROLLER = "controller"  # runs the clock, records the player response
    EVALUATOR = "evaluator"  # rates observations against objectives
    VIEWER = "viewer"  # reads the MSEL


class ClockState(StrEnum):
    PLANNING = "planning"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


class InjectState(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    DELIVERED = "delivered"
    ANSWERED = "answered"
    CANCELLED = "cancelled"


class Method(StrEnum):
    """How an inject reaches the players (what the MSEL's delivery column names)."""

    MESSAGE = "message"  # formatted message / record traffic
    EMAIL = "email"
    PHONE = "phone"
    RADIO = "radio"
    CHAT = "chat"
    IN_PERSON = "in_person"  # a role player or controller in person
    COP = "cop"  # an event on the common operational picture
    DOCUMENT = "document"


# "H+01:30", "H+1:30:00", "H-00:15", "H+2d03:00" (days before the hours).
_H_PLUS = re.compile(r"^H([+-])(?:(\d{1,3})[dD])?(\d{1,4}):([0-5]\d)(?::([0-5]\d))?$")
MAX_OFFSET_S = 366 * 86400

HPlus = Annotated[
    str, StringConstraints(max_length=limits.LABEL, strip_whitespace=True), NAME_CHARS
]


def parse_h_plus(text: str) -> int | None:
    """Seconds after H-hour for "H+HH:MM[:SS]" (optionally "H+Nd HH:MM"), or
    None when the text is not of that form."""
    m = _H_PLUS.fullmatch(text.replace(" ", ""))
    if m is None:
        return None
    sign, days, hours, minutes, seconds = m.groups()
    total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
    if total > MAX_OFFSET_S:
        return None
    return -total if sign == "-" else total


def format_h_plus(offset_s: int) -> str:
    sign = "-" if offset_s < 0 else "+"
    rest = abs(offset_s)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    tail = f":{seconds:02d}" if seconds else ""
    return f"H{sign}{hours:02d}:{minutes:02d}{tail}"


class Participant(Strict):
    nation: Trigraph
    hq_id: Slug


class ExerciseIn(Strict):
    """A new exercise, led by the actor's nation from its HQ among ``participants``."""

    id: Slug | None = None
    name: Title
    name_ja: Annotated[str, StringConstraints(max_length=limits.TITLE), NAME_CHARS] = ""
    description: LongText = ""
    description_ja: LongText = ""
    participants: list[Participant] = Field(min_length=1, max_length=limits.MAX_RELEASABLE)
    h_hour: Moment
    clock_speed: float = Field(default=1.0, ge=0.01, le=3600.0)
    marking: MarkingIn = Field(default_factory=MarkingIn)


class ClockOut(BaseModel):
    state: ClockState
    speed: float
    now_ex: TimeOut | None  # the exercise time at the moment of the view
    real: TimeOut | None  # the real moment the clock last changed
    ex: TimeOut | None  # the exercise time it was then


class ExerciseOut(OwnedOut):
    name: str
    name_ja: str
    description: str
    description_ja: str
    participants: list[Participant]
    h_hour: TimeOut
    clock: ClockOut
    my_roles: list[ExerciseRole]  # the viewing user's roles in it


class ObjectiveIn(Strict):
    code: Code
    title: Title
    title_ja: Annotated[str, StringConstraints(max_length=limits.TITLE), NAME_CHARS] = ""
    description: LongText = ""
    description_ja: LongText = ""
    marking: MarkingIn = Field(default_factory=MarkingIn)


class ObjectiveOut(OwnedOut):
    exercise_id: str
    code: str
    title: str
    title_ja: str
    description: str
    description_ja: str


class RoleIn(Strict):
    user_id: Slug
    role: ExerciseRole


class RoleOut(OwnedOut):
    exercise_id: str
    user_id: str
    user_name: str
    role: ExerciseRole
    assigned_by: str
    revoked: TimeOut | None


class InjectIn(Strict):
    """One MSEL row. ``due`` (an exercise DTG) or ``h_plus`` (relative to
    H-hour), exactly one. ``marking`` is what the delivery releases: the
    row itself stays with its owner until it is due."""

    serial: Code
    due: Moment | None = None
    h_plus: HPlus | None = None
    sender: Name
    addressee_hq_id: Slug
    method: Method = Method.MESSAGE
    description: LongText = Field(min_length=1)
    description_ja: LongText = ""
    expected_action: LongText = ""
    expected_action_ja: LongText = ""
    objective_ids: list[Slug] = Field(default_factory=list, max_length=100)
    controller: Annotated[str, StringConstraints(max_length=limits.NAME), NAME_CHARS] = ""
    marking: MarkingIn = Field(default_factory=MarkingIn)


class InjectPatch(Strict):
    """A change to an MSEL row before it is delivered; omitted fields stay."""

    version: Version | None = None
    due: Moment | None = None
    h_plus: HPlus | None = None
    sender: Name | None = None
    addressee_hq_id: Slug | None = None
    method: Method | None = None
    description: LongText | None = None
    description_ja: LongText | None = None
    expected_action: LongText | None = None
    expected_action_ja: LongText | None = None
    objective_ids: list[Slug] | None = Field(default=None, max_length=100)
    controller: Annotated[str, StringConstraints(max_length=limits.NAME), NAME_CHARS] | None = None
    marking: MarkingIn | None = None


class InjectOut(OwnedOut):
    exercise_id: str
    serial: str
    due: TimeOut | None  # the exercise DTG it is due, when given as one
    h_plus: str | None  # the H+ form, when given as one
    due_ex: TimeOut  # the exercise time it is due, either way
    sender: str
    addressee_hq_id: str
    method: Method
    description: str
    description_ja: str
    expected_action: str
    expected_action_ja: str
    objective_ids: list[str]
    controller: str
    release_marking: MarkingOut  # what the delivery releases
    state: InjectState
    delivery_id: str | None
    delivered: TimeOut | None


class DeliveryOut(OwnedOut):
    """An inject as the player receives it in the HQ's inbox."""

    exercise_id: str
    inject_id: str
    serial: str
    sender: str
    addressee_hq_id: str
    method: Method
    description: str
    description_ja: str
    due_ex: TimeOut
    due_at: TimeOut
    delivered: TimeOut


# -- observations and evaluations (observe.py) ----------------------------------


class Rating(StrEnum):
    """How well a training objective was met (the JELC's T/P/U scale)."""

    TRAINED = "T"  # trained: performs the task to standard
    PRACTICE = "P"  # needs practice: performs it with shortcomings
    UNTRAINED = "U"  # untrained: cannot perform it to standard


class ObservationIn(Strict):
    """A controller's record of the players' response to a delivered inject.
    ``delivery_id`` names the delivery (a partner's inject is seen only as
    delivered); ``observed_at`` defaults to now."""

    delivery_id: Slug
    response: LongText = Field(min_length=1)
    response_ja: LongText = ""
    observed_at: Moment | None = None
    marking: MarkingIn = Field(default_factory=MarkingIn)


class ObservationOut(OwnedOut):
    exercise_id: str
    inject_id: str
    delivery_id: str | None
    player_hq_id: str
    observed: TimeOut
    observed_ex: TimeOut | None
    response: str
    response_ja: str
    author_name: str


class EvaluationIn(Strict):
    """An evaluator's rating of an observation against one training objective."""

    objective_id: Slug
    rating: Rating
    comment: LongText = ""
    comment_ja: LongText = ""
    marking: MarkingIn = Field(default_factory=MarkingIn)


class EvaluationOut(OwnedOut):
    exercise_id: str
    observation_id: str
    objective_id: str
    rating: Rating
    comment: str
    comment_ja: str
    author_name: str


# -- the MSEL's planning side: filters, steps, sheets (issue 13 part 2) --------


class InjectQuery(BaseModel):
    """Filters of the MSEL list; every one given must match. ``due_from`` and
    ``due_to`` bound the exercise time a row is due (inclusive); ``q`` is
    looked for, ignoring case, in the serial, sender, descriptions, expected
    actions and controller."""

    state: InjectState | None = None
    addressee_hq_id: str | None = None
    method: Method | None = None
    objective_id: str | None = None
    q: str | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None


class InjectStepIn(Strict):
    """Approving or cancelling an MSEL row: ``version`` guards against acting
    on a row someone changed meanwhile; ``note`` goes in the ledger event."""

    version: Version | None = None
    note: Annotated[str, StringConstraints(max_length=limits.NOTE), TEXT_CHARS] = ""


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class SheetImportOut(BaseModel):
    """What an MSEL sheet import wrote: every row, as drafts, or nothing."""

    exercise_id: str
    format: SheetFormat
    imported: int
    injects: list[InjectOut]


__all__ = [
    "ClockOut",
    "ClockState",
    "DeliveryOut",
    "EvaluationIn",
    "EvaluationOut",
    "ExerciseIn",
    "ExerciseOut",
    "ExerciseRole",
    "InjectIn",
    "InjectOut",
    "InjectPatch",
    "InjectState",
    "Method",
    "ObjectiveIn",
    "ObjectiveOut",
    "ObservationIn",
    "ObservationOut",
    "Participant",
    "Rating",
    "RoleIn",
    "RoleOut",
    "format_h_plus",
    "parse_h_plus",
]
__all__ += ["InjectQuery", "InjectStepIn", "SheetFormat", "SheetImportOut"]
