"""The synchronization matrix: phases × nations/components as data, and drawn
as SVG (Japanese text kept as text, drawn with Noto Sans CJK) and PNG."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from alliance.node import Node
from alliance.plans.syncmatrix import cjk_font

from .helpers import JPN_UNIT, USA_UNIT, bilateral_plan, people, plans, task_line


@pytest.fixture
def plan_id(combined: Node) -> str:
    p = people(combined)
    jcdr, ucdr = p["JPN commander jpn-jjoc"], p["USA commander usa-jfhq"]
    plan = bilateral_plan(combined, jcdr)
    task_line(combined, jcdr, plan.id, JPN_UNIT, "JASDF sector watch")
    task_line(combined, ucdr, plan.id, USA_UNIT, "Fighter support")
    return plan.id


def test_the_matrix_data_has_phases_as_columns_and_nations_components_as_rows(
    combined: Node, plan_id: str
) -> None:
    viewer = people(combined)["USA viewer usa-jfhq"]
    m = plans(combined).sync_matrix(viewer, plan_id)
    assert [p.id for p in m.phases] == ["ph-1", "ph-2"]
    assert [(r.nation, r.component) for r in m.rows] == [("JPN", "air"), ("USA", "air")]
    jpn = m.rows[0].cells["ph-2"]
    assert [(t.title, t.coordination_ja) for t in jpn] == [
        ("JASDF sector watch", "航空情報を共有する。")
    ]
    assert m.phases[0].decision_points[0].title_ja == "決心点1：投入"
    assert m.phases[0].events[0].at == "D-2"
    assert m.phases[1].branches[0].id == "br-1"
    assert "classified" in m.classification["en"]


def test_the_svg_holds_the_japanese_labels_as_text_drawn_with_a_cjk_font(
    combined: Node, plan_id: str
) -> None:
    from matplotlib import font_manager

    font = cjk_font()
    assert font is not None, "Noto Sans CJK is installed by tools/system-deps.sh"
    font_manager.fontManager.addfont(str(font))
    name = font_manager.FontProperties(fname=str(font)).get_name()
    # matplotlib resolves the family to the CJK file, not to a fallback.
    found = font_manager.findfont(
        font_manager.FontProperties(family=name), fallback_to_default=False
    )
    assert found == str(font)

    viewer = people(combined)["JPN viewer jpn-jjoc"]
    svg = plans(combined).sync_matrix_image(viewer, plan_id, "svg").decode()
    assert svg.startswith("<?xml")
    assert "<svg" in svg
    for label in (
        "日米防空訓練計画",
        "第I段階：展開",
        "決心点1：投入",
        "天候による中断",
        "航空情報を共有する。",
    ):
        assert label in svg, label
    assert name in svg  # the text is set in the CJK font
    assert "JASDF sector watch" in svg
    assert "Fighter support" in svg


def test_the_png_is_a_valid_image_of_sensible_size(combined: Node, plan_id: str) -> None:
    viewer = people(combined)["JPN viewer jpn-jjoc"]
    png = plans(combined).sync_matrix_image(viewer, plan_id, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png))
    image.verify()
    width, height = Image.open(io.BytesIO(png)).size
    assert 800 <= width <= 4000, width
    assert 600 <= height <= 4000, height
    assert 10_000 < len(png) < 2_000_000


def test_a_drawing_is_kept_only_while_what_the_reader_sees_is_the_same(
    combined: Node, plan_id: str
) -> None:
    p = people(combined)
    viewer, jcdr = p["JPN viewer jpn-jjoc"], p["JPN commander jpn-jjoc"]
    desk = plans(combined)
    first = desk.sync_matrix_image(viewer, plan_id, "svg")
    assert desk.sync_matrix_image(viewer, plan_id, "svg") == first
    # A new line changes the matrix: the next drawing shows it, not the kept one.
    task_line(combined, jcdr, plan_id, JPN_UNIT, "JMSDF escort screen")
    again = desk.sync_matrix_image(viewer, plan_id, "svg").decode()
    assert "JMSDF escort screen" in again
    assert "JMSDF escort screen" not in first.decode()
