"""The AAR as one self-contained HTML page.

Nothing outside the page is loaded: the CSS is inline, the timeline is an
inline SVG, and a Content-Security-Policy meta tag forbids scripts and any
fetch, so even a saved copy opened from disk stays inert. Every piece of user
text (descriptions, responses, comments, names, serials) goes through
:func:`html.escape`; the plot's SVG escapes its own text.

Headings are bilingual (English, then Japanese in a ``lang="ja"`` span);
user content shows both languages where the writer gave both. The marking
banner stands at the top and bottom of the page, and in print at the top and
bottom of every printed page (fixed header and footer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

from alliance.core.dtg import display
from alliance.core.i18n import Text

from . import labels as L
from .model import NOT_RATED, RATING_LABELS, Report, both, lateness_text, real_time
from .plot import svg_fragment, timeline_svg

_CSS = """
:root { --ink:#1b1b1b; --line:#c9c9c9; --soft:#f3f3f3; --late:#e65100; --ok:#2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic",
  "Hiragino Sans", "Yu Gothic", sans-serif; color: var(--ink); }
main { padding: 0 24px 24px; max-width: 1200px; margin: 0 auto; }
.banner { background: #37474f; color: #fff; text-align: center; font-weight: bold;
  padding: 4px 8px; letter-spacing: .03em; }
.fictional { border: 2px solid #b71c1c; color: #b71c1c; font-weight: bold; padding: 4px 8px;
  margin: 12px 0; display: inline-block; }
h1 { font-size: 22px; margin: 16px 0 4px; }
h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 2px solid var(--ink); }
.ja { color: #444; }
h1 .ja, h2 .ja { margin-left: .6em; font-weight: normal; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: bold; }
th .ja, td .ja { display: block; font-weight: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.late { color: var(--late); font-weight: bold; }
.ontime { color: var(--ok); }
.rating { font-weight: bold; font-size: 15px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; } dl.meta dd .ja { margin-left: .8em; }
figure { margin: 8px 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
.note { font-size: 12px; color: #555; }
@media print {
  .banner.top { position: fixed; top: 0; left: 0; right: 0; }
  .banner.bottom { position: fixed; bottom: 0; left: 0; right: 0; }
  main { padding: 32px 0; } tr, figure { break-inside: avoid; }
}
"""


def _t(text: Text) -> str:
    """A fixed bilingual label: English, then Japanese in its own span."""
    if text.en == text.ja:
        return escape(text.en)
    return f'{escape(text.en)} <span class="ja" lang="ja">{escape(text.ja)}</span>'


def _u(en: str, ja: str = "") -> str:
    """User content in both languages, escaped."""
    out = escape(en)
    if ja and ja != en:
        out += f' <span class="ja" lang="ja">{escape(ja)}</span>'
    return out


def _time(moment: datetime | None) -> str:
    """An exercise time: its DTG, and JST beneath."""
    if moment is None:
        return "—"
    d = display(moment)
    return f'{escape(d.z)}<span class="ja">{escape(d.jst)}</span>'


def _real(moment: datetime | None) -> str:
    """A real moment, to the second (UTC, and JST beneath)."""
    if moment is None:
        return "—"
    z, jst = real_time(moment)
    return f'{escape(z)}<span class="ja">{escape(jst)}</span>'


def _table(heads: Sequence[Text], rows: Iterable[Sequence[str]], empty: Text = L.NONE_YET) -> str:
    body = "".join("<tr>" + "".join(cell for cell in row) + "</tr>" for row in rows)
    if not body:
        return f'<p class="note">{_t(empty)}</p>'
    head = "".join(f'<th scope="col">{_t(h)}</th>' for h in heads)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(html: str, cls: str = "") -> str:
    return f'<td class="{cls}">{html}</td>' if cls else f"<td>{html}</td>"


def _lateness(seconds: float | None, late_after: float) -> str:
    if seconds is None:
        return _td(_t(L.NOT_DELIVERED))
    cls = "late" if seconds > late_after else "ontime"
    return _td(escape(lateness_text(seconds)), f"num {cls}")


def render_html(report: Report, *, timeline: bytes | None = None) -> str:
    """The report as a complete HTML document (a ``str``; serve it as UTF-8).
    ``timeline`` is the SVG from :func:`.plot.timeline_svg`, rendered here
    when not given."""
    from .plot import LATE_AFTER_S

    ex = report.exercise
    svg = svg_fragment(timeline if timeline is not None else timeline_svg(report))
    banner = both(report.banner)
    if report.tlp_label is not None:
        banner += f"   {both(report.tlp_label)}"
    parts: list[str] = []
    parts.append(f"<h1>{_t(L.TITLE)}</h1>")
    parts.append(f'<p style="font-size:18px;margin:0">{_u(ex.name, ex.name_ja)}</p>')
    if ex.fictional:
        parts.append(f'<p class="fictional">{_t(L.FICTIONAL_NOTE)}</p>')
    participants = ", ".join(
        f"{escape(p.nation)} — {_u(report.hq_label(p.hq_id).en, report.hq_label(p.hq_id).ja)}"
        for p in ex.participants
    )
    meta = [
        (L.READER, escape(report.reader)),
        (L.GENERATED, _real(report.generated_at)),
        (L.PARTICIPANTS, participants or "—"),
        (L.H_HOUR, _time(ex.h_hour)),
        (L.CLOCK_SPEED, f"{ex.clock_speed:g}×"),
        (L.START, _real(ex.start) if ex.start else _t(L.NOT_YET)),
        (L.END, _real(ex.end) if ex.end else _t(L.NOT_YET)),
    ]
    parts.append(
        '<dl class="meta">' + "".join(f"<dt>{_t(k)}</dt><dd>{v}</dd>" for k, v in meta) + "</dl>"
    )

    parts.append(f"<h2>{_t(L.OBJECTIVES)}</h2>")
    parts.append(
        _table(
            [L.CODE, L.TITLE_COL, L.OWNER, *(RATING_LABELS[r] for r in ("T", "P", "U")), L.OVERALL],
            (
                [
                    _td(escape(r.objective.code)),
                    _td(_u(r.objective.title, r.objective.title_ja)),
                    _td(escape(r.objective.owner)),
                    *(_td(str(n), "num") for _, n in r.counts),
                    _td(
                        _t(RATING_LABELS[r.overall]) if r.overall else _t(NOT_RATED),
                        "rating",
                    ),
                ]
                for r in report.ratings
            ),
        )
    )
    parts.append(f'<p class="note">{_t(L.RATING_RULE.format(n=report.rating_min_count))}</p>')

    parts.append(f"<h2>{_t(L.TIMELINE)}</h2>")
    parts.append(f'<figure role="img" aria-label="{escape(both(L.TIMELINE))}">{svg}</figure>')

    parts.append(f"<h2>{_t(L.INJECTS)}</h2>")
    parts.append(
        _table(
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
            (
                [
                    _td(escape(i.serial)),
                    _td(_time(i.due_ex)),
                    _td(
                        _u(
                            report.hq_label(i.addressee_hq_id).en,
                            report.hq_label(i.addressee_hq_id).ja,
                        )
                    ),
                    _td(escape(i.owner)),
                    _td(escape(i.method)),
                    _td(_u(i.description, i.description_ja)),
                    _td(_real(i.delivered_at)),
                    _lateness(i.lateness_s, LATE_AFTER_S),
                ]
                for i in report.sorted_injects()
            ),
        )
    )

    parts.append(f"<h2>{_t(L.OBSERVATIONS)}</h2>")
    observations = sorted(report.observations, key=lambda o: (o.observed_at, o.serial))
    parts.append(
        _table(
            [L.SERIAL, L.PLAYER_HQ, L.OBSERVED, L.RESPONSE, L.AUTHOR],
            (
                [
                    _td(escape(o.serial)),
                    _td(_u(report.hq_label(o.player_hq_id).en, report.hq_label(o.player_hq_id).ja)),
                    _td(_real(o.observed_at)),
                    _td(_u(o.response, o.response_ja)),
                    _td(escape(o.author)),
                ]
                for o in observations
            ),
        )
    )

    parts.append(f"<h2>{_t(L.EVALUATIONS)}</h2>")
    evaluations = sorted(report.evaluations, key=lambda e: (e.objective_code, e.serial))
    parts.append(
        _table(
            [L.CODE, L.SERIAL, L.RATING, L.COMMENT, L.EVALUATOR],
            (
                [
                    _td(escape(e.objective_code)),
                    _td(escape(e.serial) or "—"),
                    _td(_t(RATING_LABELS[e.rating]), "rating"),
                    _td(_u(e.comment, e.comment_ja)),
                    _td(escape(e.evaluator)),
                ]
                for e in evaluations
            ),
        )
    )

    title = f"{both(L.TITLE)} — {ex.name}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f'<div class="banner top" role="banner">{escape(banner)}</div>'
        f"<main>{''.join(parts)}</main>"
        f'<div class="banner bottom" role="contentinfo">{escape(banner)}</div>'
        "</body></html>\n"
    )


__all__ = ["render_html"]
