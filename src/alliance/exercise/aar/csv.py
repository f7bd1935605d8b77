"""The AAR as CSV, for the spreadsheets exercise staffs keep.

Three exports, each one table: :func:`timeline_csv` (one row per inject and
response: the inject's columns, then the response's; an inject nobody
answered yet has one row with the response columns empty, an inject
answered twice has two), :func:`evaluations_csv` and :func:`ratings_csv`.

Format, chosen for Excel in Japan and for scripts alike:

- UTF-8 **with a BOM** (Excel opens BOM-less UTF-8 as Shift_JIS and garbles
  the Japanese), CRLF line ends, every field quoted only when needed.
- **One English header row of stable snake_case keys** (:data:`TIMELINE`,
  :data:`EVALUATIONS`, :data:`RATINGS_COLUMNS` give each key's bilingual
  heading): a key never changes once shipped, so staff formulas and import
  scripts keep working, and a second header row would break every CSV
  reader's "first row is the header". Japanese content has its own ``_ja``
  column beside the English.
- Times in ISO 8601 UTC with ``Z`` (real times to the millisecond), with the
  exercise time's DTG beside it; lateness in real seconds to the millisecond.
- Text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, tab or CR) is prefixed with ``'`` (OWASP's CSV-injection
  advice): an inject's description is the partner's text, and must not run
  on the reader's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from alliance.core.dtg import format_dtg
from alliance.core.i18n import Text

from . import labels as L
from .model import RATINGS, Report

BOM = "\ufeff"

TIMELINE: tuple[tuple[str, Text], ...] = (
    ("serial", L.SERIAL),
    ("owner", L.OWNER),
    ("addressee_hq", L.ADDRESSEE),
    ("method", L.METHOD),
    ("description", L.DESCRIPTION),
    ("description_ja", Text("Description (Japanese)", "内容（日本語）")),
    ("objectives", Text("Objectives", "訓練目標")),
    ("due_ex", L.DUE_EX),
    ("due_ex_dtg", Text("Due (exercise DTG)", "予定（演習DTG）")),
    ("due_at", Text("Due (real time)", "予定（実時刻）")),
    ("delivered_at", L.DELIVERED),
    ("lateness_s", Text("Lateness (real seconds)", "遅延（実秒）")),
    ("player_hq", L.PLAYER_HQ),
    ("observed_at", Text("Observed (real time)", "観察（実時刻）")),
    ("observed_ex", Text("Observed (exercise time)", "観察（演習時刻）")),
    ("response", L.RESPONSE),
    ("response_ja", Text("Response (Japanese)", "対応（日本語）")),
    ("observer", L.AUTHOR),
)
EVALUATIONS: tuple[tuple[str, Text], ...] = (
    ("objective", L.CODE),
    ("serial", L.SERIAL),
    ("rating", L.RATING),
    ("comment", L.COMMENT),
    ("comment_ja", Text("Comment (Japanese)", "所見（日本語）")),
    ("evaluator", L.EVALUATOR),
)
RATINGS_COLUMNS: tuple[tuple[str, Text], ...] = (
    ("objective", L.CODE),
    ("title", L.TITLE_COL),
    ("title_ja", Text("Title (Japanese)", "名称（日本語）")),
    ("owner", L.OWNER),
    ("t", Text("T count", "T の数")),
    ("p", Text("P count", "P の数")),
    ("u", Text("U count", "U の数")),
    ("evaluations", L.TOTAL),
    ("overall", L.OVERALL),
)

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def _iso(moment: datetime | None, *, ms: bool = False) -> str:
    if moment is None:
        return ""
    spec = "milliseconds" if ms else "seconds"
    return moment.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def _write(columns: Sequence[tuple[str, Text]], rows: Iterable[Sequence[str]]) -> bytes:
    buf = io.StringIO()
    buf.write(BOM)
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([key for key, _ in columns])
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def timeline_csv(report: Report) -> bytes:
    """Injects in MSEL order, each with its responses (see the module docstring)."""
    rows: list[list[str]] = []
    for i in report.sorted_injects():
        lateness = i.lateness_s
        inject = [
            _text(i.serial),
            i.owner,
            _text(i.addressee_hq_id),
            _text(i.method),
            _text(i.description),
            _text(i.description_ja),
            _text(" ".join(i.objective_codes)),
            _iso(i.due_ex),
            format_dtg(i.due_ex),
            _iso(i.due_at, ms=True),
            _iso(i.delivered_at, ms=True),
            "" if lateness is None else f"{lateness:.3f}",
        ]
        responses = report.observations_of(i.serial)
        if not responses:
            rows.append(inject + [""] * 6)
        for o in responses:
            rows.append(
                [
                    *inject,
                    _text(o.player_hq_id),
                    _iso(o.observed_at, ms=True),
                    _iso(o.observed_ex),
                    _text(o.response),
                    _text(o.response_ja),
                    _text(o.author),
                ]
            )
    return _write(TIMELINE, rows)


def evaluations_csv(report: Report) -> bytes:
    """Every evaluation, by objective then serial."""
    rows = [
        [
            _text(e.objective_code),
            _text(e.serial),
            e.rating,
            _text(e.comment),
            _text(e.comment_ja),
            _text(e.evaluator),
        ]
        for e in sorted(report.evaluations, key=lambda e: (e.objective_code, e.serial))
    ]
    return _write(EVALUATIONS, rows)


def ratings_csv(report: Report) -> bytes:
    """One row per objective: counts per rating and the overall rating
    (empty when not rated; the rule is :func:`.model.summarize_ratings`)."""
    rows = [
        [
            _text(r.objective.code),
            _text(r.objective.title),
            _text(r.objective.title_ja),
            r.objective.owner,
            *(str(r.count(x)) for x in RATINGS),
            str(r.total),
            r.overall or "",
        ]
        for r in report.ratings
    ]
    return _write(RATINGS_COLUMNS, rows)


__all__ = [
    "EVALUATIONS",
    "RATINGS_COLUMNS",
    "TIMELINE",
    "evaluations_csv",
    "ratings_csv",
    "timeline_csv",
]
