"""The synchronization matrix: phases (columns) × nations and their components
(rows), with each row's tasks and coordination needs per phase, and the
phases' key events, decision points and branches; as data and drawn as SVG or
PNG (matplotlib, Agg, with a Japanese font found by :mod:`alliance.core.fonts`:
Noto Sans CJK when installed).

The drawing is bilingual: every label shows the English and, beneath it, the
Japanese text where the plan gives one.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from alliance.core.exercise import FICTIONAL
from alliance.core.fonts import plot_font

from .common import PlanState
from .models import (
    CLASSIFIED_NOTE,
    Branch,
    DecisionPoint,
    KeyEvent,
    LineKind,
    MatrixPhase,
    MatrixRow,
    MatrixTask,
    PlanKind,
    SyncMatrixOut,
)

NO_PHASE = ""

_draw_lock = threading.Lock()  # pyplot's state is global: one drawing at a time
DRAWN_KEPT = 32
"""Drawings kept, newest used last: a drawing is a pure function of the
matrix a reader sees, and drawing one takes matplotlib a few hundred ms while
the console asks again at every refresh."""
_drawn: OrderedDict[str, bytes] = OrderedDict()


def matrix_data(st: PlanState) -> SyncMatrixOut:
    plan = st.plan
    phases = [
        MatrixPhase(
            id=p["id"],
            name=p["name"],
            name_ja=p.get("name_ja", ""),
            starts=p.get("starts", ""),
            ends=p.get("ends", ""),
            events=[KeyEvent.model_validate(e) for e in p.get("events", [])],
            decision_points=[DecisionPoint.model_validate(d) for d in p.get("decision_points", [])],
            branches=[Branch.model_validate(b) for b in p.get("branches", [])],
        )
        for p in plan.phases or []
    ]
    rows: dict[tuple[str, str], MatrixRow] = {}
    order = {n: i for i, n in enumerate(p["nation"] for p in plan.participants)}
    for line in st.lines:
        if line.state != "active":
            continue
        key = (line.owner, line.component)
        row = rows.setdefault(key, MatrixRow(nation=line.owner, component=line.component, cells={}))
        row.cells.setdefault(line.phase_id or NO_PHASE, []).append(
            MatrixTask(
                line_id=line.id,
                kind=LineKind(line.kind),
                title=line.title,
                title_ja=line.title_ja,
                coordination=line.coordination,
                coordination_ja=line.coordination_ja,
            )
        )
    ordered = sorted(rows.values(), key=lambda r: (order.get(r.nation, 99), r.nation, r.component))
    return SyncMatrixOut(
        plan_id=plan.id,
        title=plan.title,
        title_ja=plan.title_ja,
        revision=st.revision,
        content_hash=st.content_hash,
        classification=CLASSIFIED_NOTE.as_dict(),
        phases=phases,
        rows=ordered,
    )


def cjk_font() -> Path | None:
    """The Japanese font matplotlib draws with (Noto Sans CJK JP when installed;
    None: no Japanese font on this machine)."""
    font = plot_font()
    return None if font is None else font.path


def _two(en: str, ja: str) -> str:
    return f"{en}\n{ja}" if ja and ja != en else en


def _wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.fill(part, width) for part in text.split("\n"))


def _events(p: MatrixPhase) -> list[str]:
    return [_two(e.title, e.title_ja) + (f" ({e.at})" if e.at else "") for e in p.events]


def _decision_points(p: MatrixPhase) -> list[str]:
    return [_two(d.title, d.title_ja) for d in p.decision_points]


def _branches(p: MatrixPhase) -> list[str]:
    return [_two(b.title, b.title_ja) for b in p.branches]


def render(data: SyncMatrixOut, kind: PlanKind, fmt: str) -> bytes:
    """The matrix drawn as ``svg`` or ``png``. Text stays text in the SVG (so
    it can be searched and read back); the PNG is 150 dpi. The same matrix
    (what this reader sees of this revision) is drawn once and kept."""
    key = hashlib.sha256(f"{kind.value}|{fmt}|{data.model_dump_json()}".encode()).hexdigest()
    with _draw_lock:
        kept = _drawn.get(key)
        if kept is not None:
            _drawn.move_to_end(key)
            return kept
    drawn = _draw(data, kind, fmt)
    with _draw_lock:
        _drawn[key] = drawn
        while len(_drawn) > DRAWN_KEPT:
            _drawn.popitem(last=False)
    return drawn


def _draw(data: SyncMatrixOut, kind: PlanKind, fmt: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    family = ["DejaVu Sans"]
    font = cjk_font()
    if font is not None:
        font_manager.fontManager.addfont(str(font))
        family = [font_manager.FontProperties(fname=str(font)).get_name(), "DejaVu Sans"]
    columns = [*data.phases]
    extra = any(NO_PHASE in r.cells for r in data.rows)
    ncols = len(columns) + (1 if extra else 0)
    header_rows = 3  # key events, decision points, branches
    nrows = len(data.rows) + header_rows
    width = 3.2 + 3.4 * max(ncols, 1)
    height = 1.2 + 0.9 * (nrows + 2)
    with (
        _draw_lock,
        matplotlib.rc_context({"font.family": family, "svg.fonttype": "none", "font.size": 7}),
    ):
        fig = plt.figure(figsize=(width, height))
        try:
            ax = fig.add_axes((0.01, 0.01, 0.98, 0.9))
            ax.set_xlim(0, ncols + 1)
            ax.set_ylim(nrows + 1.7, 0)
            ax.axis("off")
            banner = f"{FICTIONAL} · {kind.value}" if kind == PlanKind.EXERCISE else kind.value
            fig.suptitle(
                f"{_two(data.title, data.title_ja)}\n"
                f"rev {data.revision} · {data.content_hash[:19]}… · {banner}",
                fontsize=9,
            )

            def cell(x: float, y: float, text: str, shade: str = "white") -> None:
                ax.add_patch(
                    matplotlib.patches.Rectangle((x, y), 1, 1, facecolor=shade, edgecolor="#555")
                )
                ax.text(x + 0.04, y + 0.08, text, va="top", ha="left", fontsize=6.5, wrap=True)

            cell(0, 0, "Phase / 段階", "#d9d9d9")
            titles = [
                _two(p.name, p.name_ja) + (f"\n{p.starts}–{p.ends}" if p.starts or p.ends else "")
                for p in columns
            ]
            if extra:
                titles.append("No phase / 段階なし")
            for i, title in enumerate(titles):
                cell(i + 1, 0, _wrap(title), "#d9d9d9")
            heads: list[tuple[str, Callable[[MatrixPhase], list[str]]]] = [
                ("Key events / 主要事象", _events),
                ("Decision points / 決心点", _decision_points),
                ("Branches / 分岐", _branches),
            ]
            for r, (head, items) in enumerate(heads, start=1):
                cell(0, r, head, "#eeeeee")
                for i, p in enumerate(columns):
                    cell(i + 1, r, _wrap("\n".join(f"• {t}" for t in items(p))), "#f7f7f7")
                if extra:
                    cell(ncols, r, "", "#f7f7f7")
            keys = [p.id for p in columns] + ([NO_PHASE] if extra else [])
            for r, row in enumerate(data.rows, start=header_rows + 1):
                cell(0, r, f"{row.nation}\n{row.component}", "#e8f0fb")
                for i, key in enumerate(keys):
                    lines = []
                    for t in row.cells.get(key, []):
                        lines.append(f"• {_two(t.title, t.title_ja)}")
                        if t.coordination or t.coordination_ja:
                            lines.append(f"  ⇄ {_two(t.coordination, t.coordination_ja)}")
                    cell(i + 1, r, _wrap("\n".join(lines)))
            ax.text(
                0,
                nrows + 1.2,
                _two(data.classification["en"], data.classification["ja"]),
                fontsize=6,
                va="top",
            )
            out = io.BytesIO()
            fig.savefig(out, format=fmt, dpi=150 if fmt == "png" else 72)
            return out.getvalue()
        finally:
            plt.close(fig)


__all__ = ["cjk_font", "matrix_data", "render"]
