"""A plan drawn (matplotlib, Agg, with the Japanese font :mod:`alliance.core.fonts`
finds), as SVG or PNG: production per line over time, deliveries against
requirements, the shortfall, and the bottleneck timeline — labels in both
languages."""

from __future__ import annotations

import io
import threading
from itertools import accumulate
from pathlib import Path
from typing import Literal

from alliance.core.fonts import plot_family

from .plan import Plan

_lock = threading.Lock()  # matplotlib's rc state is global
Format = Literal["svg", "png"]
PLOTS = ("production", "deliveries", "shortfall", "bottlenecks")


def plan_figure(plan: Plan, what: str, fmt: Format = "svg", title: str = "") -> bytes:
    """One of :data:`PLOTS` for ``plan``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    japanese = plot_family()
    family = [japanese, "DejaVu Sans"] if japanese else ["DejaVu Sans"]
    with (
        _lock,
        matplotlib.rc_context(
            {
                "font.family": family,
                "svg.fonttype": "none",
                "font.size": 8,
                "svg.hashsalt": "alliance",
            }
        ),
    ):
        fig = Figure(figsize=(8, 3.2))
        ax = fig.add_subplot()
        x = list(range(len(plan.periods)))
        step = max(1, len(x) // 12)
        if what == "production":
            for s in plan.completions:
                ax.plot(x, s.values, label=s.key, linewidth=1.2)
            ax.set_ylabel("units per period / 期間あたり数量")
            ax.set_title(title or "Production per line / ライン別生産")
        elif what == "deliveries":
            delivered = {s.key: s.values for s in plan.deliveries}
            for n, s in enumerate(plan.requirements):
                colour = f"C{n % 10}"
                ax.plot(
                    x,
                    list(accumulate(s.values)),
                    color=colour,
                    linestyle="--",
                    linewidth=1,
                    label=f"{s.key} required / 要求",
                )
                ax.plot(
                    x,
                    list(accumulate(delivered.get(s.key, [0.0] * len(x)))),
                    color=colour,
                    linewidth=1.5,
                    label=f"{s.key} delivered / 引渡し",
                )
            ax.set_ylabel("cumulative units / 累積数量")
            ax.set_title(title or "Deliveries against requirements / 要求に対する引渡し")
        elif what == "shortfall":
            if plan.backlog:
                ax.stackplot(
                    x, *[s.values for s in plan.backlog], labels=[s.key for s in plan.backlog]
                )
            ax.set_ylabel("units owed / 未充足数量")
            ax.set_title(title or "Shortfall (owed, not delivered) / 不足（未引渡し）")
        elif what == "bottlenecks":
            keys = sorted({f"{b.kind}/{b.id}" for b in plan.bottlenecks})
            index = {k: n for n, k in enumerate(keys)}
            where = {p: n for n, p in enumerate(plan.periods)}
            for b in plan.bottlenecks:
                row = index[f"{b.kind}/{b.id}"]
                ax.broken_barh(
                    [(where[b.start], where[b.end] - where[b.start] + 1)],
                    (row - 0.35, 0.7),
                    color="#b03a2e" if b.measure == "shortfall" else "#2f6f9f",
                )
            ax.set_yticks(range(len(keys)), keys)
            ax.set_xlim(0, len(x))
            ax.set_title(title or "Bottleneck timeline / 制約の時系列")
            if not keys:
                ax.text(
                    0.5,
                    0.5,
                    "No binding capacity / 制約なし",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                )
        else:
            raise ValueError(what)
        ax.set_xticks(x[::step], [plan.periods[t] for t in x[::step]], rotation=45, ha="right")
        if what != "bottlenecks" and ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=6, loc="upper left")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format=fmt, dpi=110, metadata={"Date": None} if fmt == "svg" else None)
        return out.getvalue()


def save_plots(plan: Plan, folder: Path, stem: str = "plan") -> list[Path]:
    """Every plot as SVG and PNG in ``folder``; the files written."""
    written = []
    for what in PLOTS:
        for fmt in ("svg", "png"):
            path = folder / f"{stem}-{what}.{fmt}"
            path.write_bytes(plan_figure(plan, what, fmt))
            written.append(path)
    return written
