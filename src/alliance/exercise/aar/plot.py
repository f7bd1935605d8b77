"""The AAR timeline: injects and the responses to them on the exercise clock.

One lane per HQ (the participants' HQs in their order, then any other HQ an
inject or response names). Each inject is a marker at its due exercise time
in its addressee's lane, labelled with its serial: filled green when it was
delivered on time, orange when late — with a bar from the due moment to the
delivery (lateness in real seconds times the clock speed, so the bar is in
exercise time like the axis) and the lateness written beside it — and hollow
grey when not delivered. Each observed response is a blue diamond in the
player HQ's lane, joined to its inject by a dashed line. The marking banner
stands at the top and bottom of the picture, as on every page of the report.

Rendering uses matplotlib's Agg canvas (no GUI, no pyplot state) under a lock
(matplotlib's rcParams are process-wide). Output is deterministic: the SVG's
ids come from a fixed ``svg.hashsalt`` and neither file carries a date or
version. SVG text stays text (``svg.fonttype: none``): Japanese labels are
searchable and the browser draws them with its own Noto Sans CJK. Without a
Japanese font the picture keeps English labels only and says so (see
:mod:`.fonts`).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from alliance.core.exercise import FICTIONAL
from alliance.core.fonts import plot_family
from alliance.core.i18n import Text

from . import labels as L
from .model import InjectLine, ObservationLine, Report, both

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Delivery later than this (real seconds after the due moment) is drawn late.
LATE_AFTER_S = 1.0
# More injects than this and serial labels would overlap: markers only.
LABEL_LIMIT = 80
HASHSALT = "alliance-aar"
_LOCK = threading.Lock()

_ON_TIME = "#2e7d32"
_LATE = "#e65100"
_PENDING = "#9e9e9e"
_RESPONSE = "#1565c0"


@contextmanager
def _style() -> Iterator[bool]:
    """matplotlib settings for one render; yields whether Japanese can be drawn."""
    import matplotlib

    family = plot_family()
    rc: dict[str, Any] = {
        "svg.hashsalt": HASHSALT,
        "svg.fonttype": "none",
        "text.parse_math": False,  # user text with $…$ stays text
        "axes.unicode_minus": False,
        "font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
        "font.size": 8,
    }
    with _LOCK, matplotlib.rc_context(cast("Any", rc)):
        yield family is not None


def _say(text: Text, japanese: bool) -> str:
    return both(text) if japanese else text.en


def _lanes(report: Report) -> list[str]:
    lanes = [p.hq_id for p in report.exercise.participants]
    extra = {i.addressee_hq_id for i in report.injects} | {
        o.player_hq_id for o in report.observations
    }
    lanes += sorted(extra - set(lanes))
    # one lane per HQ, first mention wins
    return list(dict.fromkeys(lanes)) or [""]


def _observed_ex(report: Report, obs: ObservationLine, inject: InjectLine | None) -> datetime:
    """A response's exercise time: as recorded, else estimated from the real
    time since the inject was due, at the clock speed (pauses are not known
    here, so a paused clock puts the estimate later than it was)."""
    if obs.observed_ex is not None:
        return obs.observed_ex
    if inject is not None:
        if inject.due_at is not None:
            delay = (obs.observed_at - inject.due_at).total_seconds() * report.exercise.clock_speed
            return inject.due_ex + timedelta(seconds=max(delay, 0.0))
        return inject.due_ex
    return report.exercise.h_hour


def _lateness_text(seconds: float) -> str:
    if seconds < 60:
        return f"+{seconds:.1f} s"
    if seconds < 3600:
        return f"+{seconds / 60:.1f} min"
    return f"+{seconds / 3600:.1f} h"


def timeline_figure(report: Report, *, japanese: bool = True) -> Figure:
    """The timeline as a matplotlib Figure (Agg canvas). Call inside
    :func:`_style` (as :func:`timeline_svg` / :func:`timeline_png` do) so the
    fonts and the SVG settings apply; ``japanese`` False keeps English only."""
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    def x(moment: datetime) -> float:
        return float(mdates.date2num(moment))  # type: ignore[no-untyped-call]

    lanes = _lanes(report)
    y_of = {hq: len(lanes) - 1 - i for i, hq in enumerate(lanes)}
    # Fixed margins in inches, top to bottom: banner, title | lanes | axis
    # labels, the legend (two rows), banner.
    top_in, bottom_in = 0.75, 1.35
    height = top_in + bottom_in + 0.6 + 0.55 * len(lanes)
    fig = Figure(figsize=(11, height), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.2, bottom_in / height, 0.77, 1 - (top_in + bottom_in) / height))
    speed = report.exercise.clock_speed
    injects = report.sorted_injects()
    by_serial = {i.serial: i for i in injects}
    xs: list[datetime] = []
    label = len(injects) <= LABEL_LIMIT

    for inj in injects:
        y = y_of[inj.addressee_hq_id]
        late = inj.lateness_s
        xs.append(inj.due_ex)
        if inj.delivered_at is None:
            ax.plot([x(inj.due_ex)], [y], "o", mfc="white", mec=_PENDING, ms=7, zorder=3)
        elif late is not None and late > LATE_AFTER_S:
            end = inj.due_ex + timedelta(seconds=late * speed)
            xs.append(end)
            ax.plot([x(inj.due_ex), x(end)], [y, y], "-", color=_LATE, lw=4, alpha=0.45, zorder=2)
            ax.plot([x(inj.due_ex)], [y], "o", color=_LATE, ms=7, zorder=3)
            ax.annotate(
                _lateness_text(late),
                (x(end), y),
                xytext=(4, -10),
                textcoords="offset points",
                color=_LATE,
                fontsize=6.5,
            )
        else:
            ax.plot([x(inj.due_ex)], [y], "o", color=_ON_TIME, ms=7, zorder=3)
        if label:
            ax.annotate(
                inj.serial,
                (x(inj.due_ex), y),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                fontsize=6.5,
            )

    for obs in sorted(report.observations, key=lambda o: (o.observed_at, o.serial)):
        inject = by_serial.get(obs.serial)
        seen = _observed_ex(report, obs, inject)
        y = y_of[obs.player_hq_id]
        xs.append(seen)
        if inject is not None:
            ax.plot(
                [x(inject.due_ex), x(seen)],
                [y_of[inject.addressee_hq_id], y],
                "--",
                color=_RESPONSE,
                lw=0.8,
                alpha=0.7,
                zorder=1,
            )
        ax.plot([x(seen)], [y], "D", color=_RESPONSE, ms=5.5, zorder=4)

    if not xs:
        h = report.exercise.h_hour
        xs = [h, h + timedelta(hours=1)]
        ax.text(0.5, 0.5, _say(L.PLOT_EMPTY, japanese), transform=ax.transAxes, ha="center")
    lo, hi = min(xs), max(xs)
    pad = max((hi - lo) * 0.05, timedelta(minutes=5))
    ax.set_xlim(x(lo - pad), x(hi + pad))
    ax.set_ylim(-0.7, len(lanes) - 0.3)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %H:%M", tz=UTC))  # type: ignore[no-untyped-call]
    ax.set_xlabel(_say(L.PLOT_X, japanese))
    ax.set_yticks(
        [y_of[hq] for hq in lanes],
        labels=[_say(report.hq_label(hq), japanese) for hq in lanes],
    )
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.set_axisbelow(True)

    name = report.exercise.name
    if japanese and report.exercise.name_ja:
        name = f"{name} / {report.exercise.name_ja}"
    if report.exercise.fictional:
        name += f" ({FICTIONAL})"
    ax.set_title(f"{_say(L.TIMELINE, japanese)} — {name}", fontsize=9.5)
    legend = [
        Line2D([], [], ls="", marker="o", color=_ON_TIME, label=_say(L.PLOT_ON_TIME, japanese)),
        Line2D([], [], ls="", marker="o", color=_LATE, label=_say(L.PLOT_LATE, japanese)),
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            mfc="white",
            mec=_PENDING,
            label=_say(L.PLOT_PENDING, japanese),
        ),
        Line2D([], [], ls="--", marker="D", color=_RESPONSE, label=_say(L.PLOT_RESPONSE, japanese)),
    ]
    fig.legend(
        handles=legend,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.3 / height),
        ncols=2,
        fontsize=7,
        frameon=False,
    )
    banner = _say(report.banner, japanese)
    if report.tlp_label is not None:
        banner += f"   {report.tlp_label.en}"
    for at, va in ((1 - 0.08 / height, "top"), (0.08 / height, "bottom")):
        fig.text(0.5, at, banner, ha="center", va=va, fontsize=8.5, fontweight="bold")
    if not japanese:
        fig.text(0.01, 0.3 / height, L.FONT_MISSING.en, fontsize=6, color="#b71c1c")
    return fig


def timeline_svg(report: Report) -> bytes:
    """The timeline as a standalone SVG document (UTF-8, deterministic)."""
    with _style() as japanese:
        fig = timeline_figure(report, japanese=japanese)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def timeline_png(report: Report, *, dpi: int = 150) -> bytes:
    """The timeline as PNG bytes (deterministic for a given matplotlib)."""
    with _style() as japanese:
        fig = timeline_figure(report, japanese=japanese)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def svg_fragment(svg: bytes) -> str:
    """An SVG document as an element to inline in HTML (no XML prolog or DOCTYPE)."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


__all__ = [
    "LATE_AFTER_S",
    "svg_fragment",
    "timeline_figure",
    "timeline_png",
    "timeline_svg",
]
