"""One nation's after-action report (AAR), as plain frozen data.

The caller (the exercise desk's services) builds a :class:`Report` from what
is **already released to the reader nation**: the renderers in this package
(:mod:`.plot`, :mod:`.html`, :mod:`.pdf`, :mod:`.csv`) show every line they
are given and filter nothing. They touch no database and no clock; the same
report renders the same bytes.

Times are aware datetimes. *Exercise time* (``due_ex``, ``observed_ex``) is
read off the exercise's own clock; *real time* (``due_at``, ``delivered_at``,
``observed_at``) is the wall clock that stamps the ledger. Delivery lateness
is real seconds between the real moment an inject was due and the moment it
reached the inbox.

Objective ratings use the T/P/U proficiency scale of JELC-style training
assessments (T trained, P needs practice, U untrained); how evaluations sum
up to one rating per objective is :func:`summarize_ratings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from alliance.core.dtg import JST
from alliance.core.i18n import Text

Rating = Literal["T", "P", "U"]
# Best first: the order of the scale, and of every table and count.
RATINGS: tuple[Rating, ...] = ("T", "P", "U")
RATING_LABELS: Mapping[str, Text] = {
    "T": Text("T — trained", "T — 練度十分"),
    "P": Text("P — needs practice", "P — 要訓練"),
    "U": Text("U — untrained", "U — 練度不十分"),
}
NOT_RATED = Text("not rated", "評価なし")


def _aware(value: datetime | None, name: str) -> None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} needs an aware datetime")


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant:
    """A participating nation and the HQ it plays or controls from. The HQ's
    names are for display (lanes of the timeline); empty means show the id."""

    nation: str
    hq_id: str
    hq_name: str = ""
    hq_name_ja: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseInfo:
    """The exercise as the report shows it. ``fictional`` marks exercise
    content (every demo and test exercise is); ``start``/``end`` are the real
    moments the exercise clock first started and ended (None: not yet)."""

    name: str
    name_ja: str
    fictional: bool
    participants: tuple[Participant, ...]
    h_hour: datetime
    clock_speed: float
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("h_hour", "start", "end"):
            _aware(getattr(self, name), name)
        if self.clock_speed <= 0:
            raise ValueError("clock_speed must be positive")


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectiveLine:
    """A training objective, owned by the nation that trains to it."""

    code: str
    title: str
    title_ja: str
    owner: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InjectLine:
    """One inject as the reader may see it: a partner sees what was delivered
    to it (no expected action, no controller's notes); the owner sees its own
    injects, delivered or not. ``due_at`` is the real moment the inject was
    due (known once the exercise clock reached it), ``delivered_at`` when it
    reached the addressee's inbox (None: not delivered)."""

    serial: str
    owner: str
    addressee_hq_id: str
    method: str
    description: str
    description_ja: str
    due_ex: datetime
    due_at: datetime | None = None
    delivered_at: datetime | None = None
    objective_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("due_ex", "due_at", "delivered_at"):
            _aware(getattr(self, name), name)

    @property
    def lateness_s(self) -> float | None:
        """Real seconds from the due moment to delivery (None if not both known)."""
        if self.due_at is None or self.delivered_at is None:
            return None
        return (self.delivered_at - self.due_at).total_seconds()


@dataclass(frozen=True, slots=True, kw_only=True)
class ObservationLine:
    """A controller's record of the player response to an inject (by serial).
    ``observed_ex`` is the exercise time of the response when recorded."""

    serial: str
    player_hq_id: str
    observed_at: datetime
    response: str
    response_ja: str
    author: str
    observed_ex: datetime | None = None

    def __post_init__(self) -> None:
        _aware(self.observed_at, "observed_at")
        _aware(self.observed_ex, "observed_ex")


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluationLine:
    """An evaluator's rating of an observed response against one objective;
    ``serial`` names the inject whose response was graded (empty if unknown)."""

    objective_code: str
    rating: Rating
    comment: str
    comment_ja: str
    evaluator: str
    serial: str = ""

    def __post_init__(self) -> None:
        if self.rating not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectiveRating:
    """How one objective was rated: the count per rating (in :data:`RATINGS`
    order) and the overall rating (None: not rated, see :func:`summarize_ratings`)."""

    objective: ObjectiveLine
    counts: tuple[tuple[Rating, int], ...]
    overall: Rating | None

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    def count(self, rating: Rating) -> int:
        return dict(self.counts)[rating]


def summarize_ratings(
    objectives: Iterable[ObjectiveLine],
    evaluations: Iterable[EvaluationLine],
    *,
    min_count: int = 1,
) -> tuple[ObjectiveRating, ...]:
    """One :class:`ObjectiveRating` per objective, in the objectives' order.

    **Rule: the worst rating given at least ``min_count`` times** (U worse
    than P worse than T); None ("not rated") when no rating reaches it, e.g.
    an objective nobody evaluated.

    Why the worst and not the mode: T/P/U assessments in the Joint Event Life
    Cycle (and the task-proficiency ratings they feed) are conservative — an
    organisation is "T" on a task only when it met the standard *each* time it
    was observed; one response that fell short means it needs practice. A
    mode would let three good responses hide one failed hand-over between the
    two headquarters, which is exactly what a bilateral AAR must surface.
    ``min_count`` is the exercise director's guard against a single outlier
    when many evaluators rate the same objective (default 1: plain worst).

    Evaluations naming no listed objective are not counted (the caller
    filtered the objective away, or the link is stale).
    """
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    objectives = tuple(objectives)
    tally: dict[str, dict[Rating, int]] = {o.code: dict.fromkeys(RATINGS, 0) for o in objectives}
    for ev in evaluations:
        if ev.objective_code in tally:
            tally[ev.objective_code][ev.rating] += 1
    out: list[ObjectiveRating] = []
    for obj in objectives:
        counts = tally[obj.code]
        overall: Rating | None = None
        for rating in reversed(RATINGS):  # worst first
            if counts[rating] >= min_count:
                overall = rating
                break
        out.append(
            ObjectiveRating(
                objective=obj,
                counts=tuple((r, counts[r]) for r in RATINGS),
                overall=overall,
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """One nation's AAR: ``reader`` is the nation it is rendered for and
    everything in it is released to that nation (the caller filtered).
    ``banner`` is the marking banner line the caller computed for that reader
    (e.g. ``release.marks(...).banner``); every renderer shows it at the top
    and bottom of every page. ``generated_at`` is stamped on the report (and
    the PDF's creation date) so the same report renders the same bytes."""

    exercise: ExerciseInfo
    reader: str
    banner: Text
    generated_at: datetime
    objectives: tuple[ObjectiveLine, ...] = ()
    injects: tuple[InjectLine, ...] = ()
    observations: tuple[ObservationLine, ...] = ()
    evaluations: tuple[EvaluationLine, ...] = ()
    tlp_label: Text | None = None
    rating_min_count: int = 1
    _ratings: tuple[ObjectiveRating, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _aware(self.generated_at, "generated_at")
        object.__setattr__(
            self,
            "_ratings",
            summarize_ratings(self.objectives, self.evaluations, min_count=self.rating_min_count),
        )

    @property
    def ratings(self) -> tuple[ObjectiveRating, ...]:
        """The per-objective summary (:func:`summarize_ratings`)."""
        return self._ratings

    def sorted_injects(self) -> list[InjectLine]:
        """Injects in MSEL order: by exercise time, then serial."""
        return sorted(self.injects, key=lambda i: (i.due_ex, i.serial))

    def observations_of(self, serial: str) -> list[ObservationLine]:
        """The responses recorded to one inject, oldest first."""
        return sorted(
            (o for o in self.observations if o.serial == serial),
            key=lambda o: (o.observed_at, o.player_hq_id),
        )

    def hq_label(self, hq_id: str) -> Text:
        """A HQ's display name (its id where the participants name none)."""
        for p in self.exercise.participants:
            if p.hq_id == hq_id:
                en = p.hq_name or hq_id
                return Text(en, p.hq_name_ja or en)
        return Text(hq_id, hq_id) if hq_id else Text("—", "—")


def real_time(moment: datetime) -> tuple[str, str]:
    """A real (wall-clock) moment to the second, in UTC and JST: on an
    accelerated clock a real second is an exercise minute, so minutes (a
    DTG's precision) are not enough."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%d %H:%M:%S}Z", f"{utc.astimezone(JST):%Y-%m-%d %H:%M:%S} JST"


def lateness_text(seconds: float) -> str:
    """Delivery lateness for a table: milliseconds count under ten seconds."""
    return f"{seconds:+.3f} s" if abs(seconds) < 10 else f"{seconds:+.1f} s"


def both(text: Text, sep: str = " / ") -> str:
    """``en / ja`` on one line, or one of them when they are the same."""
    return text.en if text.en == text.ja else f"{text.en}{sep}{text.ja}"


def pair(en: str, ja: str, sep: str = " / ") -> str:
    """User content in both languages on one line (either may be empty)."""
    if not ja or ja == en:
        return en
    if not en:
        return ja
    return f"{en}{sep}{ja}"


__all__ = [
    "NOT_RATED",
    "RATINGS",
    "RATING_LABELS",
    "EvaluationLine",
    "ExerciseInfo",
    "InjectLine",
    "ObjectiveLine",
    "ObjectiveRating",
    "ObservationLine",
    "Participant",
    "Rating",
    "Report",
    "both",
    "lateness_text",
    "pair",
    "real_time",
    "summarize_ratings",
]
