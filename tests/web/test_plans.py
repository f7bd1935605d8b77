"""The plans pane in a real browser (Debian's Chromium through Playwright, every
request beyond the node refused), on a node hosting JPN and USA authority.

JPN leads a bilateral exercise plan; each nation has written a task line of
its own, and the USA has approved its lines of the current revision. The JPN
commander reads in the pane that real plans are classified (in both
languages), sees the lines by nation with their owners and which nation has
approved this revision, approves JPN's own lines from the pane (the plan is
then approved), comments on the USA's line (a partner comments, never edits),
reads what changed between revisions, and sees the synchronization matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser

from alliance.core.authority import Actor
from alliance.node import Node
from alliance.plans import ApprovalIn, LineKind, PlanLineIn, PlanLineOut
from tests.conftest import LiveServer, NodeFactory, add_people
from tests.plans.helpers import JPN_UNIT, USA_UNIT, bilateral_plan, plans
from tests.web.test_console import _no_english_left
from tests.web.test_coordination import Seat
from tests.web.test_exercise import _Japanese, _reachable

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

CLASSIFIED = "Real plans are classified: this node holds exercise and template plans only."
CLASSIFIED_JA = (
    "実際の作戦計画は秘密区分のため、このノードには演習用とひな型の計画のみを保持します。"
)


@dataclass
class Served:
    live: LiveServer
    token: str
    plan_id: str
    usa_line: str
    jpn_line: str


@pytest.fixture
def served(make_node: NodeFactory) -> Iterator[Served]:
    node = make_node("JPN", hosted=["USA"])
    tokens = add_people(node).tokens
    jpn = node.users.authenticate(tokens["JPN commander jpn-jjoc"])
    usa = node.users.authenticate(tokens["USA commander usa-jfhq"])
    plan = bilateral_plan(node, jpn)
    mine = _line(node, jpn, plan.id, JPN_UNIT, "Air defence of the exercise area", "演習区域の防空")
    theirs = _line(node, usa, plan.id, USA_UNIT, "Combat air patrol south", "南方の戦闘空中哨戒")
    current = plans(node).get_plan(usa, plan.id)
    plans(node).approve(usa, plan.id, ApprovalIn(content_hash=current.content_hash))
    live = LiveServer(node).start()
    try:
        yield Served(live, tokens["JPN commander jpn-jjoc"], plan.id, theirs.id, mine.id)
    finally:
        live.stop()


def _line(node: Node, actor: Actor, plan_id: str, unit: str, title: str, ja: str) -> PlanLineOut:
    return plans(node).add_line(
        actor,
        plan_id,
        PlanLineIn(
            kind=LineKind.TASK,
            component="air",
            phase_id="ph-2",
            title=title,
            title_ja=ja,
            coordination="Share the air picture (FICTIONAL).",
            coordination_ja="航空情報を共有する（架空）。",
            unit_ids=[unit],
        ),
    )


def test_the_plans_pane(browser: Browser, served: Served) -> None:
    seat = Seat(browser, served.live.url, "en-US")
    page = seat.page
    try:
        page.goto(f"{served.live.url}/console/#/plans/lines/{served.plan_id}")
        page.fill("#token", served.token)
        page.click("#signin-button")
        page.locator("#pane-plans").wait_for(state="visible")
        # Said first, in both languages.
        banner = page.locator("#pl-classified").inner_text()
        assert CLASSIFIED in banner
        assert CLASSIFIED_JA in banner
        page.locator("#pl-title", has_text="Bilateral air defense exercise plan").wait_for()

        # The lines by nation, each with its owner; who has approved this revision.
        usa_row = page.locator(f"#pl-line-groups tr[data-id='{served.usa_line}']")
        jpn_row = page.locator(f"#pl-line-groups tr[data-id='{served.jpn_line}']")
        usa_row.wait_for()
        assert jpn_row.is_visible()
        assert usa_row.locator("td").first.inner_text().startswith("USA")
        assert jpn_row.locator("td").first.inner_text().startswith("JPN")
        assert page.locator("#pl-parts li[data-nation='USA']").get_attribute("data-approved") == (
            "true"
        )
        assert page.locator("#pl-parts li[data-nation='JPN']").get_attribute("data-approved") == (
            "false"
        )
        # A partner's line takes a comment; the own nation's is edited by its owner only.
        assert usa_row.locator("button.pl-comment").count() == 1
        assert jpn_row.locator("button.pl-comment").count() == 0
        _reachable(page)

        # JPN approves its own lines of this revision: the plan is approved.
        revision = page.locator("#pl-revision").inner_text().split(" ")[0]
        assert page.locator("#pl-approve").inner_text() == (
            f"Approve JPN's lines of revision {revision}"
        )
        page.click("#pl-approve")
        page.locator("#pl-parts li[data-nation='JPN'][data-approved='true']").wait_for()
        page.locator("#pl-status[data-status='approved']").wait_for()

        # A comment on the USA's line.
        usa_row.locator("button.pl-comment").click()
        page.fill("#pl-comment-text", "Can the patrol start at 0600Z? (FICTIONAL)")
        page.click("#pl-comment-send")
        page.click("#pl-views a[data-view='comments']")
        item = page.locator(f"#pl-comment-list li[data-line='{served.usa_line}']")
        item.wait_for()
        assert "0600Z" in item.inner_text()

        # What changed from the first revision: the two lines added.
        page.click("#pl-views a[data-view='diff']")
        page.select_option("#pl-diff-from", "1")
        page.click("#pl-diff-show")
        page.locator("#pl-changes li[data-what='line'][data-change='added']").first.wait_for()
        assert "Combat air patrol south" in page.locator("#pl-changes").inner_text()

        # The synchronization matrix, as the node draws it.
        page.click("#pl-views a[data-view='matrix']")
        page.wait_for_function(
            "() => { const i = document.querySelector('#pl-matrix-img');"
            " return i.complete && i.naturalWidth > 100; }"
        )

        # In Japanese: the note says it in Japanese first, and no English is left.
        page.click("#pl-views a[data-view='lines']")
        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert page.locator("#pl-classified").inner_text().startswith(CLASSIFIED_JA)
        assert page.locator("#pl-title").inner_text() == "日米防空訓練計画"
        _no_english_left(_Japanese(page))  # type: ignore[arg-type]

        assert seat.outside == [], "the console tried to reach beyond this node"
        assert seat.errors == [], seat.errors
    finally:
        seat.close()
