"""The after-action report (AAR) of an exercise, rendered from plain data.

Pure functions, no database: the exercise desk builds one
:class:`~.model.Report` per reader nation from what is released to it, and
these turn it into a timeline plot (:mod:`.plot`, SVG and PNG), a
self-contained HTML page (:mod:`.html`), a PDF with Japanese text
(:mod:`.pdf`) and CSV exports (:mod:`.csv`).
"""

from __future__ import annotations

from .model import (
    RATINGS,
    EvaluationLine,
    ExerciseInfo,
    InjectLine,
    ObjectiveLine,
    ObjectiveRating,
    ObservationLine,
    Participant,
    Rating,
    Report,
    summarize_ratings,
)

__all__ = [
    "RATINGS",
    "EvaluationLine",
    "ExerciseInfo",
    "InjectLine",
    "ObjectiveLine",
    "ObjectiveRating",
    "ObservationLine",
    "Participant",
    "Rating",
    "Report",
    "summarize_ratings",
]
