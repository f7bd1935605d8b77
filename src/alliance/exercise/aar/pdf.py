"""The AAR as a PDF with Japanese text (fpdf2, the font subset embedded).

Library and font: fpdf2 embeds a subset of the font through fontTools. The
font is IPAex Gothic (Debian ``fonts-ipaexfont-gothic``), a TrueType-outline
Japanese font that embeds under Identity-H, so the text is searchable and
extracts cleanly (pypdf, pdftotext, a viewer's copy). Noto Sans CJK is CFF in
a collection: fpdf2 can embed it but its custom encoding CMap breaks text
extraction, and reportlab's TTFont cannot read CFF at all — so it is only the
fallback (see :mod:`.fonts`). With no Japanese font the PDF is refused with
a bilingual :class:`~alliance.core.errors.Unavailable` that names the
package to install and points at the HTML report, rather than a PDF whose
Japanese is missing.

Layout: A4 landscape; the marking banner at the top and bottom of every page
(header and footer), page numbers; the exercise, the objective ratings, the
timeline plot (PNG) and the inject, response and evaluation tables.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from alliance.core.dtg import display
from alliance.core.errors import Unavailable
from alliance.core.fonts import pdf_font
from alliance.core.i18n import Text

from . import labels as L
from .model import NOT_RATED, RATING_LABELS, Report, both, lateness_text, pair, real_time
from .plot import LATE_AFTER_S, timeline_png

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "aarjp"
_GREY = (235, 235, 235)


def _time(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    d = display(moment)
    return f"{d.z}\n{d.jst}"


def _real(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return "\n".join(real_time(moment))


def _label(text: Text) -> str:
    return text.en if text.en == text.ja else f"{text.en}\n{text.ja}"


def _new_pdf(report: Report) -> FPDF:
    from fpdf import FPDF

    font = pdf_font()
    if font is None:
        raise Unavailable(L.PDF_FONT_MISSING, code="aar_font_missing")
    banner = both(report.banner)
    if report.tlp_label is not None:
        banner += f"   {both(report.tlp_label)}"

    class AarPdf(FPDF):
        def header(self) -> None:
            self.set_font(FONT, size=9)
            self.set_text_color(0)
            self.cell(0, 6, banner, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-13)
            self.set_font(FONT, size=9)
            self.set_text_color(0)
            self.cell(0, 5, banner, align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_font(FONT, size=7)
            self.cell(0, 4, f"{self.page_no()} / {{nb}}", align="C")

    pdf = AarPdf(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=16)
    # The one face serves as regular and bold (table headings ask for bold).
    for style in ("", "B"):
        pdf.add_font(FONT, style, str(font.path), collection_font_number=font.index)
    pdf.set_creation_date(report.generated_at)
    pdf.set_title(f"{both(L.TITLE)} — {report.exercise.name}")
    pdf.set_lang("ja")
    return pdf


def _heading(pdf: FPDF, text: Text) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, size=13)
    pdf.cell(0, 8, both(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)


def _table(
    pdf: FPDF, heads: Sequence[Text], widths: Sequence[float], rows: Sequence[Sequence[str]]
) -> None:
    from fpdf.fonts import FontFace

    if not rows:
        pdf.multi_cell(0, 5, both(L.NONE_YET), new_x="LMARGIN", new_y="NEXT")
        return
    with pdf.table(
        col_widths=tuple(widths),
        text_align="LEFT",
        line_height=4,
        headings_style=FontFace(fill_color=_GREY),
    ) as table:
        head = table.row()
        for h in heads:
            head.cell(_label(h))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)


def _lateness(seconds: float | None) -> str:
    if seconds is None:
        return _label(L.NOT_DELIVERED)
    mark = " ▲" if seconds > LATE_AFTER_S else ""
    return f"{lateness_text(seconds)}{mark}"


def render_pdf(report: Report, *, timeline: bytes | None = None) -> bytes:
    """The report as PDF bytes. ``timeline`` is the PNG from
    :func:`.plot.timeline_png`, rendered here when not given. Raises
    :class:`~alliance.core.errors.Unavailable` (bilingual) when no Japanese
    font is installed."""
    pdf = _new_pdf(report)
    ex = report.exercise
    png = timeline if timeline is not None else timeline_png(report)
    pdf.add_page()

    pdf.set_font(FONT, size=18)
    pdf.cell(0, 10, both(L.TITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=13)
    pdf.multi_cell(0, 7, pair(ex.name, ex.name_ja), new_x="LMARGIN", new_y="NEXT")
    if ex.fictional:
        pdf.set_text_color(183, 28, 28)
        pdf.set_font(FONT, size=10)
        pdf.multi_cell(0, 6, both(L.FICTIONAL_NOTE), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    pdf.ln(2)
    pdf.set_font(FONT, size=8)
    participants = ", ".join(
        f"{p.nation} — {both(report.hq_label(p.hq_id))}" for p in ex.participants
    )
    meta = [
        (L.READER, report.reader),
        (L.GENERATED, _real(report.generated_at)),
        (L.PARTICIPANTS, participants or "—"),
        (L.H_HOUR, _time(ex.h_hour)),
        (L.CLOCK_SPEED, f"{ex.clock_speed:g}×"),
        (L.START, _real(ex.start) if ex.start else _label(L.NOT_YET)),
        (L.END, _real(ex.end) if ex.end else _label(L.NOT_YET)),
    ]
    with pdf.table(
        col_widths=(60, 200), text_align="LEFT", line_height=4, first_row_as_headings=False
    ) as table:
        for key, value in meta:
            row = table.row()
            row.cell(_label(key))
            row.cell(value)

    _heading(pdf, L.OBJECTIVES)
    ratings: list[list[str]] = [
        [
            r.objective.code,
            pair(r.objective.title, r.objective.title_ja, "\n"),
            r.objective.owner,
            *(str(n) for _, n in r.counts),
            _label(RATING_LABELS[r.overall]) if r.overall else _label(NOT_RATED),
        ]
        for r in report.ratings
    ]
    _table(
        pdf,
        [L.CODE, L.TITLE_COL, L.OWNER, *(RATING_LABELS[r] for r in ("T", "P", "U")), L.OVERALL],
        (25, 95, 18, 26, 26, 26, 40),
        ratings,
    )
    pdf.set_font(FONT, size=7)
    pdf.multi_cell(
        0,
        4,
        both(L.RATING_RULE.format(n=report.rating_min_count), "\n"),
        new_x="LMARGIN",
        new_y="NEXT",
    )

    # The heading stays with the picture: a new page when both do not fit.
    width_px, height_px = struct.unpack(">II", png[16:24])  # the PNG's IHDR
    if pdf.will_page_break(12 + pdf.epw * height_px / width_px):
        pdf.add_page()
    _heading(pdf, L.TIMELINE)
    pdf.image(io.BytesIO(png), w=pdf.epw)

    _heading(pdf, L.INJECTS)
    injects = [
        [
            i.serial,
            _time(i.due_ex),
            both(report.hq_label(i.addressee_hq_id), "\n"),
            i.owner,
            i.method,
            pair(i.description, i.description_ja, "\n"),
            _real(i.delivered_at),
            _lateness(i.lateness_s),
        ]
        for i in report.sorted_injects()
    ]
    _table(
        pdf,
        [
            L.SERIAL,
            L.DUE_EX,
            L.ADDRESSEE,
            L.OWNER,
            L.METHOD,
            L.DESCRIPTION,
            L.DELIVERED,
            L.LATENESS,
        ],
        (20, 32, 34, 14, 16, 100, 32, 22),
        injects,
    )

    _heading(pdf, L.OBSERVATIONS)
    observations = [
        [
            o.serial,
            both(report.hq_label(o.player_hq_id), "\n"),
            _real(o.observed_at),
            pair(o.response, o.response_ja, "\n"),
            o.author,
        ]
        for o in sorted(report.observations, key=lambda o: (o.observed_at, o.serial))
    ]
    _table(
        pdf,
        [L.SERIAL, L.PLAYER_HQ, L.OBSERVED, L.RESPONSE, L.AUTHOR],
        (20, 40, 34, 140, 36),
        observations,
    )

    _heading(pdf, L.EVALUATIONS)
    evaluations = [
        [
            e.objective_code,
            e.serial or "—",
            _label(RATING_LABELS[e.rating]),
            pair(e.comment, e.comment_ja, "\n"),
            e.evaluator,
        ]
        for e in sorted(report.evaluations, key=lambda e: (e.objective_code, e.serial))
    ]
    _table(
        pdf,
        [L.CODE, L.SERIAL, L.RATING, L.COMMENT, L.EVALUATOR],
        (25, 20, 36, 153, 36),
        evaluations,
    )

    out: Any = pdf.output()
    return bytes(out)


__all__ = ["render_pdf"]
