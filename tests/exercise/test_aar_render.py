"""The after-action report renderers: what a reader nation gets from one report.

The report is built in code (tests/exercise/aar_fixture.py, fictional). The
PDF's text is read back with pypdf, the HTML is checked for inert user text
and no outside resource, the CSV exports are pinned by golden files
(tests/golden/README.md says how to regenerate them).
"""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from PIL import Image
from pypdf import PdfReader

from alliance.core.errors import Unavailable
from alliance.core.fonts import pdf_font, plot_font
from alliance.exercise.aar import EvaluationLine, ObjectiveLine, summarize_ratings
from alliance.exercise.aar import pdf as pdf_module
from alliance.exercise.aar import plot as plot_module
from alliance.exercise.aar.csv import evaluations_csv, ratings_csv, timeline_csv
from alliance.exercise.aar.html import render_html
from alliance.exercise.aar.labels import FONT_MISSING, PDF_FONT_MISSING
from alliance.exercise.aar.pdf import render_pdf
from alliance.exercise.aar.plot import timeline_png, timeline_svg

from .aar_fixture import empty_report, report

GOLDEN = Path(__file__).parents[1] / "golden"
BANNER_EN = "CHUI (HANDLE WITH CARE)//RELEASABLE TO JPN, USA"


def test_the_japanese_fonts_are_installed() -> None:
    """`make test` installs them (tools/system-deps.sh); without them the
    Japanese tests below fail rather than skip."""
    plot, pdf = plot_font(), pdf_font()
    assert plot is not None, "run tools/system-deps.sh (fonts-noto-cjk)"
    assert pdf is not None, "run tools/system-deps.sh (fonts-ipaexfont-gothic)"
    assert plot.family == "Noto Sans CJK JP"
    assert pdf.truetype  # IPAex Gothic: text extracts cleanly


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


# -- ratings ----------------------------------------------------------------


def _obj(code: str) -> ObjectiveLine:
    return ObjectiveLine(code=code, title=code, title_ja=code, owner="JPN")


def _ev(code: str, rating: str) -> EvaluationLine:
    return EvaluationLine(
        objective_code=code,
        rating=rating,  # type: ignore[arg-type]
        comment="",
        comment_ja="",
        evaluator="E",
    )


def test_an_objective_is_rated_by_its_worst_rating() -> None:
    objs = [_obj("A"), _obj("B"), _obj("C")]
    evs = [_ev("A", "T"), _ev("A", "T"), _ev("A", "P"), _ev("B", "T"), _ev("B", "U")]
    a, b, c = summarize_ratings(objs, evs)
    assert (a.overall, a.counts) == ("P", (("T", 2), ("P", 1), ("U", 0)))
    assert b.overall == "U"
    assert (c.overall, c.total) == (None, 0)  # nobody evaluated it: not rated


def test_min_count_discounts_a_single_outlier() -> None:
    evs = [_ev("A", "T"), _ev("A", "T"), _ev("A", "U")]
    (a,) = summarize_ratings([_obj("A")], evs, min_count=2)
    assert a.overall == "T"
    (a,) = summarize_ratings([_obj("A")], evs[2:], min_count=2)
    assert a.overall is None  # one evaluation is not enough evidence


def test_an_unknown_rating_is_refused() -> None:
    with pytest.raises(ValueError, match="rating"):
        _ev("A", "X")


# -- PDF --------------------------------------------------------------------


def test_pdf_carries_japanese_text_serials_and_ratings() -> None:
    pages = _pdf_pages(render_pdf(report()))
    text = "\n".join(pages)
    for serial in ("PA-001", "PA-002", "PA-003"):
        assert serial in text
    for ja in (
        "事後検討報告",
        "ペーパー・アバカス26",
        "統合作戦司令部",
        "架空の台風により演習上の港湾が閉鎖。空輸支援を要請せよ。",
        "相手国への通報が時間基準を超過した。",
        "訓練目標の評価",
    ):
        assert ja in text
    assert "FICTIONAL" in text
    # TO-2 was rated T once and P once: overall P (the worst).
    assert re.search(r"TO-2 .*USA 1 1 0 P — needs practice", text)
    assert "+12.000 s" not in text
    assert "+12.0 s" in text
    assert "+0.040 s" in text


def test_pdf_banner_is_at_top_and_bottom_of_every_page() -> None:
    pages = _pdf_pages(render_pdf(report()))
    assert len(pages) >= 2
    for page in pages:
        lines = [line for line in page.splitlines() if line.strip()]
        assert BANNER_EN in lines[0]
        assert sum(BANNER_EN in line for line in lines) == 2


def test_pdf_embeds_the_timeline_and_a_font_subset() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(report())))
    assert sum(len(page.images) for page in reader.pages) == 1
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in cast("Any", page["/Resources"])["/Font"].values()
    }
    # a subset tag: six capital letters and a plus
    assert fonts
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in fonts)


def test_pdf_is_the_same_bytes_for_the_same_report() -> None:
    assert render_pdf(report()) == render_pdf(report())


def test_pdf_without_a_japanese_font_is_refused_in_both_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf_module, "pdf_font", lambda: None)
    with pytest.raises(Unavailable) as caught:
        render_pdf(report(), timeline=b"unused")
    assert caught.value.message == PDF_FONT_MISSING
    assert "fonts-ipaexfont-gothic" in caught.value.message.en
    assert "fonts-ipaexfont-gothic" in caught.value.message.ja


# -- HTML -------------------------------------------------------------------


def test_html_keeps_user_text_inert() -> None:
    page = render_html(report())
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;aar&quot;)&lt;/script&gt; &amp; report it" in page
    assert "Content-Security-Policy" in page
    assert "default-src 'none'" in page


def test_html_is_self_contained_and_bilingual() -> None:
    page = render_html(report())
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # only the SVG's own clip paths
    assert page.count("<svg") == 1  # the timeline, inline
    assert "<?xml" not in page
    for heading in ("訓練目標の評価", "状況付与と対応の時系列", "観察された対応", "評価"):
        assert heading in page
    assert "Training objective ratings" in page
    assert "FICTIONAL" in page
    top, bottom = page.index('class="banner top"'), page.index('class="banner bottom"')
    assert top < page.index("<main>") < page.index("</main>") < bottom
    outside_plot = re.sub(r"<svg.*</svg>", "", page, flags=re.S)
    assert outside_plot.count(BANNER_EN) == 2


def test_html_escapes_the_plots_text_too() -> None:
    from dataclasses import replace

    rep = report()
    rep = replace(rep, injects=(replace(rep.injects[0], serial="<b>X&1</b>"), *rep.injects[1:]))
    page = render_html(rep)
    assert "<b>" not in page
    assert "&lt;b&gt;X&amp;1&lt;/b&gt;" in page


# -- plot -------------------------------------------------------------------


def test_svg_keeps_japanese_as_text_and_is_deterministic() -> None:
    svg = timeline_svg(report())
    text = svg.decode("utf-8")
    assert "統合作戦司令部" in text
    assert "状況付与と対応の時系列" in text
    assert "PA-002" in text
    assert "+12.0 s" in text
    assert BANNER_EN in text
    assert "<script" not in text
    assert "dc:date" not in text
    assert svg == timeline_svg(report())


def test_png_is_a_valid_image() -> None:
    data = timeline_png(report())
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.width > 1000
        assert image.height > 300
    assert data == timeline_png(report())


def test_plot_without_a_japanese_font_says_so_in_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plot_module, "plot_family", lambda: None)
    text = timeline_svg(report()).decode("utf-8")
    assert FONT_MISSING.en in text
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text)  # no tofu: English only
    assert "JJOC" in text


def test_late_responses_without_exercise_time_are_placed_by_the_clock() -> None:
    rep = report()
    # PA-002's response came 30 real seconds after it was due: 30 exercise
    # minutes on the 60x clock.
    from alliance.exercise.aar.plot import _observed_ex

    obs = rep.observations_of("PA-002")[0]
    assert obs.observed_ex is None
    inject = next(i for i in rep.injects if i.serial == "PA-002")
    assert _observed_ex(rep, obs, inject) == inject.due_ex + timedelta(minutes=30)


# -- CSV --------------------------------------------------------------------


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("ALLIANCE_UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from the golden file"


@pytest.mark.parametrize(
    ("name", "export"),
    [
        ("aar_timeline.csv", timeline_csv),
        ("aar_evaluations.csv", evaluations_csv),
        ("aar_ratings.csv", ratings_csv),
    ],
)
def test_csv_matches_the_golden_file(name: str, export) -> None:
    _golden(name, export(report()))


def test_csv_opens_in_excel_and_reads_back() -> None:
    import csv

    data = timeline_csv(report())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["serial"] for r in rows] == ["PA-001", "PA-002", "PA-003"]
    assert rows[0]["description_ja"] == "架空の台風により演習上の港湾が閉鎖。空輸支援を要請せよ。"
    assert rows[1]["lateness_s"] == "12.000"
    assert rows[2]["delivered_at"] == ""
    assert rows[2]["player_hq"] == ""


def test_csv_defuses_spreadsheet_formulas() -> None:
    from dataclasses import replace

    rep = report()
    bad = replace(rep.injects[0], description='=HYPERLINK("x")', description_ja="@SUM(1)")
    rep = replace(rep, injects=(bad,))
    import csv

    (row,) = csv.DictReader(io.StringIO(timeline_csv(rep).decode("utf-8-sig")))
    assert row["description"] == '\'=HYPERLINK("x")'
    assert row["description_ja"] == "'@SUM(1)"


# -- an exercise with nothing yet -------------------------------------------


def test_an_empty_report_renders_in_every_format() -> None:
    rep = empty_report()
    assert "状況付与はまだありません" in timeline_svg(rep).decode("utf-8")
    assert timeline_png(rep).startswith(b"\x89PNG")
    page = render_html(rep)
    assert "まだありません" in page
    assert "CUI//NOFORN" in page
    text = "\n".join(_pdf_pages(render_pdf(rep)))
    assert "まだありません" in text
    assert "事後検討報告" in text
    for export in (timeline_csv, evaluations_csv, ratings_csv):
        data = export(rep)
        assert data.count(b"\r\n") == 1  # the header row alone
