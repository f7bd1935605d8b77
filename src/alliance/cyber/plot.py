"""Sightings over time, drawn as SVG (matplotlib, Agg, with the Japanese font
:mod:`alliance.core.fonts` finds): what the cyber pane shows beside its list."""

from __future__ import annotations

import io
import threading

from alliance.core.fonts import plot_family

from .models import SightingDayOut

_lock = threading.Lock()  # pyplot's state is global


def sightings_svg(days: list[SightingDayOut], title: str) -> bytes:
    """A bar per day with sightings; an empty chart says there are none."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    japanese = plot_family()
    family = [japanese, "DejaVu Sans"] if japanese else ["DejaVu Sans"]
    with (
        _lock,
        matplotlib.rc_context({"font.family": family, "svg.fonttype": "none", "font.size": 8}),
    ):
        fig, ax = plt.subplots(figsize=(7.5, 2.6))
        try:
            # One bar per day with sightings (days as labels: a gap is a day without).
            ax.bar([d.day for d in days], [d.count for d in days], color="#2f6f9f", width=0.8)
            ax.set_title(title)
            ax.set_ylabel("sightings / 検知数")
            if not days:
                ax.text(
                    0.5,
                    0.5,
                    "No sightings / 検知なし",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                )
                ax.set_xticks([])
            fig.autofmt_xdate()
            fig.tight_layout()
            out = io.BytesIO()
            fig.savefig(out, format="svg")
            return out.getvalue()
        finally:
            plt.close(fig)


__all__ = ["sightings_svg"]
