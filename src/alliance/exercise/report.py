"""The after-action report of one nation, built from what is released to it.

:func:`build_report` reads the exercise's objects released to the reader
nation — and nothing else: a nation's own injects (its MSEL rows never leave
it), the deliveries of partners' injects it received, the objectives,
observations and evaluations released to it — into the plain
:class:`~.aar.model.Report` the renderers (:mod:`.aar`) turn into HTML, PDF
and CSV. Its banner is the marking every line shares, as the reader's
nation writes it (:func:`alliance.core.markings.page`): the report is marked
no lower than its most restricted line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Actor
from alliance.core.exercise import FICTIONAL
from alliance.core.i18n import Text
from alliance.core.markings import Marking, page
from alliance.org import HqRow
from alliance.store.owned import released_to

from .aar.model import (
    EvaluationLine,
    ExerciseInfo,
    InjectLine,
    ObjectiveLine,
    ObservationLine,
    Participant,
    Rating,
    Report,
)
from .clock import due_ex
from .common import EXERCISE, ExerciseBase, clock_of, require_role
from .models import ExerciseRole
from .tables import (
    EvaluationRow,
    ExerciseRow,
    InjectDeliveryRow,
    InjectRow,
    ObjectiveRow,
    ObservationRow,
)

LINES = Text("report lines", "報告の項目")


R = TypeVar("R", ObjectiveRow, InjectRow, InjectDeliveryRow, ObservationRow, EvaluationRow)


def _released(s: Session, model: type[R], nation: str, exercise_id: str) -> list[R]:
    stmt = released_to(select(model), model, nation).where(model.exercise_id == exercise_id)
    return list(s.scalars(stmt.order_by(model.id)))


def build_report(s: Session, nation: str, exercise_id: str, now: datetime) -> Report:
    """``nation``'s AAR of the exercise (404 when the exercise is not released to it)."""
    exercise: ExerciseRow = EXERCISE.find(s, nation, exercise_id, "exercise_id")
    marked: list[tuple[str, Marking, str | Text]] = [(exercise.id, exercise.marking, exercise.name)]
    participants = []
    for p in exercise.participants:
        hq = s.get(HqRow, p["hq_id"])
        participants.append(
            Participant(
                nation=p["nation"],
                hq_id=p["hq_id"],
                hq_name=hq.name_en if hq is not None else "",
                hq_name_ja=hq.name_ja if hq is not None else "",
            )
        )
    objectives: list[ObjectiveRow] = _released(s, ObjectiveRow, nation, exercise.id)
    codes = {o.id: o.code for o in objectives}
    deliveries: list[InjectDeliveryRow] = _released(s, InjectDeliveryRow, nation, exercise.id)
    by_inject = {d.inject_id: d for d in deliveries}
    injects: list[InjectLine] = []
    own: list[InjectRow] = [
        r for r in _released(s, InjectRow, nation, exercise.id) if r.owner == nation
    ]
    clock = clock_of(exercise)
    for r in own:
        if r.state == "cancelled":
            continue
        d = by_inject.get(r.id)
        due = due_ex(exercise.h_hour, r.due_ex, r.offset_s)
        injects.append(
            InjectLine(
                serial=r.serial,
                owner=r.owner,
                addressee_hq_id=r.addressee_hq_id,
                method=r.method,
                description=r.description,
                description_ja=r.description_ja,
                due_ex=due,
                due_at=d.due_at if d is not None else clock.real_at(due),
                delivered_at=d.delivered_at if d is not None else None,
                objective_codes=tuple(codes[i] for i in r.objective_ids if i in codes),
            )
        )
        marked.append((r.id, r.marking, r.serial))
    for d in deliveries:
        if d.owner == nation:
            continue  # its own injects are listed from its MSEL above
        injects.append(
            InjectLine(
                serial=d.serial,
                owner=d.owner,
                addressee_hq_id=d.addressee_hq_id,
                method=d.method,
                description=d.description,
                description_ja=d.description_ja,
                due_ex=d.due_ex,
                due_at=d.due_at,
                delivered_at=d.delivered_at,
            )
        )
        marked.append((d.id, d.marking, d.serial))
    serial_of = {d.inject_id: d.serial for d in deliveries} | {r.id: r.serial for r in own}
    observations: list[ObservationRow] = _released(s, ObservationRow, nation, exercise.id)
    obs_serial = {o.id: serial_of.get(o.inject_id, "") for o in observations}
    evaluations: list[EvaluationRow] = _released(s, EvaluationRow, nation, exercise.id)
    for o in objectives:
        marked.append((o.id, o.marking, o.code))
    for ob in observations:
        marked.append((ob.id, ob.marking, obs_serial[ob.id]))
    for ev in evaluations:
        marked.append((ev.id, ev.marking, codes.get(ev.objective_id, ev.objective_id)))
    shown = page(marked, nation, LINES)
    fictional = FICTIONAL in exercise.name or FICTIONAL in exercise.description
    return Report(
        exercise=ExerciseInfo(
            name=exercise.name,
            name_ja=exercise.name_ja,
            fictional=fictional,
            participants=tuple(participants),
            h_hour=exercise.h_hour,
            clock_speed=exercise.clock_speed,
        ),
        reader=nation,
        banner=shown.banner,
        tlp_label=shown.tlp_label,
        generated_at=now,
        objectives=tuple(
            ObjectiveLine(code=o.code, title=o.title, title_ja=o.title_ja, owner=o.owner)
            for o in objectives
        ),
        injects=tuple(injects),
        observations=tuple(
            ObservationLine(
                serial=obs_serial[o.id],
                player_hq_id=o.player_hq_id,
                observed_at=o.observed_at,
                observed_ex=o.observed_ex,
                response=o.response,
                response_ja=o.response_ja,
                author=o.author_name,
            )
            for o in observations
        ),
        evaluations=tuple(
            EvaluationLine(
                objective_code=codes[e.objective_id],
                rating=cast("Rating", e.rating),
                comment=e.comment,
                comment_ja=e.comment_ja,
                evaluator=e.author_name,
                serial=obs_serial.get(e.observation_id, ""),
            )
            for e in evaluations
            if e.objective_id in codes
        ),
    )


class AarFormat(StrEnum):
    """What the AAR is rendered as."""

    HTML = "html"
    PDF = "pdf"
    TIMELINE_CSV = "timeline.csv"
    EVALUATIONS_CSV = "evaluations.csv"
    RATINGS_CSV = "ratings.csv"
    SVG = "timeline.svg"
    PNG = "timeline.png"


MEDIA_TYPES: dict[AarFormat, str] = {
    AarFormat.HTML: "text/html; charset=utf-8",
    AarFormat.PDF: "application/pdf",
    AarFormat.TIMELINE_CSV: "text/csv; charset=utf-8",
    AarFormat.EVALUATIONS_CSV: "text/csv; charset=utf-8",
    AarFormat.RATINGS_CSV: "text/csv; charset=utf-8",
    AarFormat.SVG: "image/svg+xml",
    AarFormat.PNG: "image/png",
}


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    media_type: str
    filename: str


def render(report: Report, fmt: AarFormat) -> bytes:
    """The report as ``fmt`` (matplotlib and fpdf2 are imported only here: a
    node that never renders a report never loads them)."""
    if fmt in (AarFormat.TIMELINE_CSV, AarFormat.EVALUATIONS_CSV, AarFormat.RATINGS_CSV):
        from .aar import csv as aar_csv

        return {
            AarFormat.TIMELINE_CSV: aar_csv.timeline_csv,
            AarFormat.EVALUATIONS_CSV: aar_csv.evaluations_csv,
            AarFormat.RATINGS_CSV: aar_csv.ratings_csv,
        }[fmt](report)
    from .aar import plot

    if fmt == AarFormat.SVG:
        return plot.timeline_svg(report)
    if fmt == AarFormat.PNG:
        return plot.timeline_png(report)
    if fmt == AarFormat.HTML:
        from .aar.html import render_html

        return render_html(report).encode()
    from .aar.pdf import render_pdf

    return render_pdf(report)


class Reports(ExerciseBase):
    """The after-action report, as each nation may read it."""

    def report(self, actor: Actor, exercise_id: str) -> Report:
        """The actor's nation's AAR of the exercise (for a user holding any role
        in the exercise for that nation)."""
        with self.ctx.db.read() as s:
            exercise = self._exercise(s, actor, exercise_id)
            require_role(s, actor, exercise, *ExerciseRole)
            return build_report(s, actor.nation, exercise.id, self.ctx.clock())

    def render_report(self, actor: Actor, exercise_id: str, fmt: AarFormat) -> Rendered:
        report = self.report(actor, exercise_id)
        stamp = f"{report.generated_at:%Y%m%dT%H%MZ}"
        name = f"aar-{exercise_id}-{actor.nation.lower()}-{stamp}.{fmt.value.split('.')[-1]}"
        return Rendered(render(report, fmt), MEDIA_TYPES[fmt], name)


__all__ = ["AarFormat", "Rendered", "Reports", "build_report", "render"]
