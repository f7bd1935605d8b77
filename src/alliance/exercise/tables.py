"""Exercise desk tables and object types: exercises with their own clock,
training objectives, roles scoped to an exercise, the MSEL (injects), the
deliveries that reach a player HQ's inbox, observations and evaluations.

Single writer holds throughout: the lead nation owns the exercise (and so its
clock); each nation owns its own objectives, role assignments, injects,
deliveries, observations and evaluations.

**Nothing of an inject leaves its owner's node before it is due.** An inject
(an MSEL row) is its owner's control document and stays national-only; what
it will release on delivery is kept beside it (``release_rel``,
``release_tlp``), as a coordination request keeps what sending releases.
When the inject is due on the exercise clock, the owner's scheduler writes an
:class:`InjectDeliveryRow` — what the player receives, without the expected
action or the controller's notes — under that marking, and federation ships
it. A partner's database therefore holds nothing of an inject before its
moment, and nothing at all of a national-only one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.core.i18n import Text as Label
from alliance.store.schema.base import OwnedRow, UTCDateTime
from alliance.store.types import ObjectType


class ExerciseRow(OwnedRow):
    """A bilateral (or national) exercise, owned by the lead nation.

    The exercise clock is the exercise's own, never the node's (which stamps
    the ledger): at the real moment ``clock_real`` the exercise time was
    ``clock_ex``, and it runs at ``clock_speed`` exercise seconds per real
    second while ``clock_state`` is ``running`` (it stands still while
    ``planning``, ``paused`` or ``ended``). Only the owner writes it, so every node
    reads the same clock from the replicated row.
    """

    __tablename__ = "exercises"

    name: Mapped[str] = mapped_column(String(limits.TITLE))
    name_ja: Mapped[str] = mapped_column(String(limits.TITLE), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_ja: Mapped[str] = mapped_column(Text, default="")
    # Participating nations and the HQ each plays or controls from:
    # [{"nation": "JPN", "hq_id": "jjoc"}, ...]; the owner is one of them.
    participants: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # H-hour, in exercise time: relative MSEL times (H+) count from it.
    h_hour: Mapped[datetime] = mapped_column(UTCDateTime())
    # planning → running ⇄ paused → ended, see the docstring.
    clock_state: Mapped[str] = mapped_column(String(limits.CODE), default="planning")
    clock_speed: Mapped[float] = mapped_column(Float, default=1.0)
    clock_real: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    clock_ex: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    author_id: Mapped[str] = mapped_column(String(limits.ID))


class ObjectiveRow(OwnedRow):
    """A training objective of an exercise, owned by the nation that trains to it."""

    __tablename__ = "exercise_objectives"

    exercise_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    code: Mapped[str] = mapped_column(String(limits.LABEL))
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    title_ja: Mapped[str] = mapped_column(String(limits.TITLE), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_ja: Mapped[str] = mapped_column(Text, default="")


class ExerciseRoleRow(OwnedRow):
    """A user's role in one exercise (owner, editor, approver, controller,
    evaluator, viewer), owned by the user's nation: each nation assigns its own
    people. Not a global role: it gives nothing outside the exercise."""

    __tablename__ = "exercise_roles"

    exercise_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    user_id: Mapped[str] = mapped_column(String(limits.ID))
    user_name: Mapped[str] = mapped_column(String(limits.NAME))
    role: Mapped[str] = mapped_column(String(limits.CODE))
    assigned_by: Mapped[str] = mapped_column(String(limits.ID))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class InjectRow(OwnedRow):
    """One MSEL row, owned by the nation that wrote it; national-only (see the
    module docstring) until a delivery releases what the player receives."""

    __tablename__ = "injects"
    # The scheduler's next-due queries (:mod:`.scheduler`): approved injects of
    # one exercise in order of their DTG, and in order of their H+ offset (one
    # exercise's H-hour is one moment, so the offset orders them as well).
    # And a serial's row in one nation's MSEL (the duplicate check of every
    # new row: without it each walked the exercise's whole MSEL).
    __table_args__ = (
        Index("ix_injects_due_dtg", "state", "exercise_id", "due_ex"),
        Index("ix_injects_due_offset", "state", "exercise_id", "offset_s"),
        Index("ix_injects_serial", "exercise_id", "owner", "serial"),
    )

    exercise_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    serial: Mapped[str] = mapped_column(String(limits.LABEL))
    # Exactly one of: an exercise DTG, or seconds after H-hour (H+).
    due_ex: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    offset_s: Mapped[int | None] = mapped_column(Integer, default=None)
    sender: Mapped[str] = mapped_column(String(limits.NAME))
    addressee_hq_id: Mapped[str] = mapped_column(String(limits.ID))
    method: Mapped[str] = mapped_column(String(limits.CODE))
    description: Mapped[str] = mapped_column(Text)
    description_ja: Mapped[str] = mapped_column(Text, default="")
    expected_action: Mapped[str] = mapped_column(Text, default="")
    expected_action_ja: Mapped[str] = mapped_column(Text, default="")
    objective_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    controller: Mapped[str] = mapped_column(String(limits.NAME), default="")
    # What delivery releases (the row itself stays national-only).
    release_rel: Mapped[str] = mapped_column(String(limits.REL), default="")
    release_tlp: Mapped[str | None] = mapped_column(String(limits.TLP), default=None)
    # draft → approved → delivered → answered; cancelled.
    state: Mapped[str] = mapped_column(String(limits.CODE), default="draft")
    delivery_id: Mapped[str | None] = mapped_column(String(limits.ID), default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    author_id: Mapped[str] = mapped_column(String(limits.ID))


class InjectDeliveryRow(OwnedRow):
    """An inject as delivered to the addressed HQ's inbox: what the player
    receives, written by the inject's owner when it is due, under the marking
    the inject releases."""

    __tablename__ = "inject_deliveries"

    exercise_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    inject_id: Mapped[str] = mapped_column(String(limits.ID), unique=True)
    serial: Mapped[str] = mapped_column(String(limits.LABEL))
    sender: Mapped[str] = mapped_column(String(limits.NAME))
    addressee_hq_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    method: Mapped[str] = mapped_column(String(limits.CODE))
    description: Mapped[str] = mapped_column(Text)
    description_ja: Mapped[str] = mapped_column(Text, default="")
    # The exercise time it was due, the real moment that was, and when it was
    # delivered (the writer's time; later only if the node was down or busy).
    due_ex: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ObservationRow(OwnedRow):
    """A controller's record of the player response to an inject."""

    __tablename__ = "exercise_observations"

    exercise_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    inject_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    delivery_id: Mapped[str | None] = mapped_column(String(limits.ID), default=None)
    player_hq_id: Mapped[str] = mapped_column(String(limits.ID))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    observed_ex: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    response: Mapped[str] = mapped_column(Text)
    response_ja: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str] = mapped_column(String(limits.ID))
    author_name: Mapped[str] = mapped_column(String(limits.NAME))


class EvaluationRow(OwnedRow):
    """An evaluator's rating of an observation against one training objective
    (T trained, P needs practice, U untrained)."""

    __tablename__ = "exercise_evaluations"

    exercise_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    observation_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    objective_id: Mapped[str] = mapped_column(String(limits.ID))
    rating: Mapped[str] = mapped_column(String(limits.CODE))
    comment: Mapped[str] = mapped_column(Text, default="")
    comment_ja: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str] = mapped_column(String(limits.ID))
    author_name: Mapped[str] = mapped_column(String(limits.NAME))


EXERCISE = ObjectType("exercise", ExerciseRow, Label("exercise", "演習"))
OBJECTIVE = ObjectType("exercise_objective", ObjectiveRow, Label("training objective", "訓練目標"))
EXERCISE_ROLE = ObjectType("exercise_role", ExerciseRoleRow, Label("exercise role", "演習内の役割"))
INJECT = ObjectType("inject", InjectRow, Label("inject (MSEL event)", "状況付与（MSEL事象）"))
INJECT_DELIVERY = ObjectType(
    "inject_delivery", InjectDeliveryRow, Label("delivered inject", "付与された状況")
)
OBSERVATION = ObjectType("exercise_observation", ObservationRow, Label("observation", "観察記録"))
EVALUATION = ObjectType("exercise_evaluation", EvaluationRow, Label("evaluation", "評価"))

OBJECT_TYPES = (
    EXERCISE,
    OBJECTIVE,
    EXERCISE_ROLE,
    INJECT,
    INJECT_DELIVERY,
    OBSERVATION,
    EVALUATION,
)

__all__ = [
    "EVALUATION",
    "EXERCISE",
    "EXERCISE_ROLE",
    "INJECT",
    "INJECT_DELIVERY",
    "OBJECTIVE",
    "OBJECT_TYPES",
    "OBSERVATION",
    "EvaluationRow",
    "ExerciseRoleRow",
    "ExerciseRow",
    "InjectDeliveryRow",
    "InjectRow",
    "ObjectiveRow",
    "ObservationRow",
]
