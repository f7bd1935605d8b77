"""Coordination through the ACM, in the console, across two federated nodes.

A USA node and a JPN node (each on its own database, on each selected backend),
federated over mutual TLS on loopback, each served by a real server; a US staff
officer and a JPN staff officer each in a browser context of their own, at
1024×768. The US officer sends a request to the JJOC from the coordination
pane; the JPN officer's inbox count rises without a reload, a notice says so,
the officer opens it and concurs with comment; the US officer sees the
concurrence arrive live; once the outcome is recorded it is in both nations'
outcome logs. Nothing is polled: each change reaches the pane by the shell's
one live stream (GET /api/v1/stream).

``ALLIANCE_DOCS_SCREENSHOTS=1`` also refreshes docs/coordination.png (the README's picture).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route

from alliance.acm import (
    ActionItemIn,
    DelegationIn,
    Level,
    RequestIn,
    RequestKind,
    WorkingGroupIn,
)
from alliance.acm.models import Member
from alliance.core.authority import Actor
from alliance.core.models import MarkingIn
from alliance.node import Node
from tests.conftest import DatabaseFactory, LiveServer, NodeFactory, add_people
from tests.federation.helpers import served_pair, wait_drained

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

DOCS_PNG = Path(__file__).resolve().parents[2] / "docs" / "coordination.png"
WAIT_MS = 40_000
SUBJECT = "Combined air defence exercise: shared range window"


@pytest.fixture
def database_url(new_database: DatabaseFactory) -> str:
    """Unlike the other browser tests, this one runs every node on each selected
    backend: coordination is what federation and storage carry."""
    return new_database()


class Seat:
    """One officer's browser context on one node, at 1024×768, recording what
    it tried to reach outside the node and what the page complained about."""

    def __init__(self, browser: Browser, base: str, locale: str) -> None:
        self.base = base
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1024, "height": 768}, locale=locale)
        self.context.route("**/*", self._only_this_node)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.loads = 0
        self.page.on("load", lambda _page: self._loaded())

    def _loaded(self) -> None:
        self.loads += 1

    def _only_this_node(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type in {"error", "warning"}:
            self.errors.append(f"{msg.type}: {msg.text}")

    def sign_in(self, token: str) -> None:
        self.page.goto(self.base + "/console/#/acm")
        self.page.fill("#token", token)
        self.page.click("#signin-button")
        self.page.locator("#pane-acm").wait_for(state="visible")
        self.page.wait_for_function("() => document.body.dataset.live === 'live'")

    def count(self, box: str) -> int:
        return int(self.page.locator(f"#acm-{box}-awaiting").get_attribute("data-count") or "0")

    def wait_count(self, box: str, n: int) -> None:
        self.page.wait_for_function(
            "([box, n]) => document.querySelector(`#acm-${box}-awaiting`).dataset.count === n",
            arg=[box, str(n)],
        )

    def reachable(self, selector: str) -> None:
        """The control takes focus and is then wholly on screen at 1024×768."""
        control = self.page.locator(selector)
        control.focus()
        box = control.bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0, (selector, box)
        assert box["x"] + box["width"] <= 1024, (selector, box)
        assert box["y"] + box["height"] <= 768, (selector, box)
        assert self.page.evaluate("(s) => document.activeElement.matches(s)", selector), selector

    def close(self) -> None:
        self.context.close()


@dataclass
class World:
    jpn: Node
    usa: Node
    jpn_live: LiveServer
    usa_live: LiveServer
    tokens: dict[str, str]
    actors: dict[str, Actor]


@pytest.fixture
def world(make_node: NodeFactory) -> Iterator[World]:
    jpn, usa = served_pair(make_node)
    tokens: dict[str, str] = {}
    actors: dict[str, Actor] = {}
    for node in (jpn, usa):
        people = add_people(node)
        tokens.update(people.tokens)
        actors.update({k: node.users.authenticate(t) for k, t in people.tokens.items()})
    # Each commander lets the staff officer concur for the HQ at the BOCC (the
    # ACM's delegation of concurrence authority), as the staff would be told to.
    for node, nation, hq, partner in (
        (jpn, "JPN", "jpn-jjoc", "USA"),
        (usa, "USA", "usa-jfhq", "JPN"),
    ):
        node.acm.delegate(
            actors[f"{nation} commander {hq}"],
            DelegationIn(
                delegate_id=actors[f"{nation} staff_officer {hq}"].user_id,
                level=Level.BOCC,
                valid_from="2026-01-01T00:00:00Z",
                valid_until="2099-01-01T00:00:00Z",
                marking=MarkingIn(releasable_to=[partner]),
            ),
        )
    wait_drained(jpn, [usa], timeout=30)
    wait_drained(usa, [jpn], timeout=30)
    jpn_live, usa_live = LiveServer(jpn).start(), LiveServer(usa).start()
    try:
        yield World(jpn, usa, jpn_live, usa_live, tokens, actors)
    finally:
        jpn_live.stop()
        usa_live.stop()


def _api(live: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=live.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def test_a_request_is_sent_concurred_with_comment_and_decided_across_two_nodes(
    browser: Browser, world: World, tmp_path: Path
) -> None:
    usa_seat = Seat(browser, world.usa_live.url, "en-US")
    jpn_seat = Seat(browser, world.jpn_live.url, "ja-JP")
    seats = (usa_seat, jpn_seat)
    try:
        usa_seat.sign_in(world.tokens["USA staff_officer usa-jfhq"])
        jpn_seat.sign_in(world.tokens["JPN staff_officer jpn-jjoc"])
        usa, jpn = usa_seat.page, jpn_seat.page
        assert jpn.evaluate("document.documentElement.lang") == "ja"
        assert jpn.locator("#tabs .tab[data-pane='pane-acm']").inner_text().startswith("同盟調整")
        assert jpn_seat.count("inbox") == 0
        loads = jpn_seat.loads

        # The US officer drafts and sends a request to the JJOC from the pane.
        usa_seat.reachable("#acm-new")
        usa.click("#acm-new")
        assert urlsplit(usa.url).fragment == "/acm/new"
        usa.select_option("#acm-n-kind", "activity")
        usa.select_option("#acm-n-to", "jpn-jjoc")
        usa.select_option("#acm-n-priority", "priority")
        usa.fill("#acm-n-subject", SUBJECT)
        usa.fill("#acm-n-body", "Propose 0600Z-0900Z on D+2 over the northern range.")
        usa_seat.reachable("#acm-n-send")
        usa.click("#acm-n-send")
        usa.locator("#acm-t-subject", has_text=SUBJECT).wait_for()
        request_id = urlsplit(usa.url).fragment.rsplit("/", 1)[-1]
        assert urlsplit(usa.url).fragment == f"/acm/requests/{request_id}"
        # Until each nation concurs, the request awaits both (the USA's own position too).
        usa_seat.wait_count("outbox", 1)

        # JPN: the inbox count rises without a reload, the tab says so, a notice is read out.
        jpn_seat.wait_count("inbox", 1)
        assert jpn_seat.loads == loads, "the JPN console reloaded"
        assert jpn.locator("#tabs .tab[data-pane='pane-acm'] .tab-badge").inner_text() == "1"
        toast = jpn.locator("#toasts .toast", has_text=SUBJECT)
        toast.wait_for()
        assert jpn.locator("#toasts").get_attribute("aria-live") == "polite"
        assert "USAから新しい要請" in toast.inner_text()
        item = jpn.locator(f"#acm-request-list .acm-item[data-id='{request_id}'] a")
        assert SUBJECT in item.inner_text()
        assert "JPNの対応待ち" in item.inner_text()
        # Each officer reads the marking as the own nation's practice writes it.
        assert item.locator(".acm-portion").inner_text() == "（注意）"
        assert usa.locator("#acm-t-portion").inner_text() == "(CUI//REL TO USA, JPN)"

        # ... opens it (by keyboard), and concurs with comment.
        item.focus()
        jpn.keyboard.press("Enter")
        jpn.locator("#acm-t-subject", has_text=SUBJECT).wait_for()
        assert urlsplit(jpn.url).fragment == f"/acm/requests/{request_id}"
        assert "0600Z-0900Z" in jpn.locator("#acm-t-body").inner_text()
        jpn.fill("#acm-reply-text", "Concur; JASDF asks for 0630Z to deconflict the tanker track.")
        jpn.select_option("#acm-grade", "substantive")
        jpn_seat.reachable("#acm-act-concur_with_comment")
        jpn.click("#acm-act-concur_with_comment")
        jpn.locator("#acm-t-responses li[data-kind='concur_with_comment']").wait_for()
        jpn_seat.wait_count("inbox", 0)

        # USA: the concurrence arrives live in the open thread, with its comment, and a notice.
        concurrence = usa.locator(
            "#acm-t-responses li[data-kind='concur_with_comment'][data-owner='JPN']"
        )
        concurrence.wait_for()
        assert "0630Z" in concurrence.inner_text()
        assert "[Substantive]" in concurrence.inner_text()
        usa.locator("#toasts .toast", has_text="JPN concurred with comment").wait_for()
        assert "JPN: concurred with comment" in usa.locator("#acm-t-positions").inner_text()
        shot = tmp_path / "coordination.png"
        # The README's picture at a laptop's width (the header's own fit at 1024 px is item 9's).
        usa.set_viewport_size({"width": 1280, "height": 800})
        usa.evaluate("window.scrollTo(0, 0)")
        usa.screenshot(path=str(shot))
        usa.set_viewport_size({"width": 1024, "height": 768})
        assert shot.stat().st_size > 30_000
        if os.environ.get("ALLIANCE_DOCS_SCREENSHOTS"):
            shutil.copyfile(shot, DOCS_PNG)

        # The US officer concurs for the USA; the US commander records the outcome.
        usa.click("#acm-act-concur")
        usa.locator("#acm-t-responses li[data-kind='concur'][data-owner='USA']").wait_for()
        with _api(world.usa_live, world.tokens["USA commander usa-jfhq"]) as commander:
            decided = commander.post(
                f"/acm/requests/{request_id}/decision",
                json={"summary": "Range window 0630Z-0900Z on D+2, tanker track deconflicted."},
            )
            assert decided.status_code == 201, decided.text

        # The outcome is in both nations' outcome logs, live.
        for seat in seats:
            seat.page.click(".acm-views a[data-view='outcomes']")
            row = seat.page.locator(f"#acm-outcome-rows tr[data-request='{request_id}']")
            row.wait_for()
            assert SUBJECT in row.inner_text()
            assert "0630Z-0900Z" in row.inner_text()
            assert urlsplit(seat.page.url).fragment == "/acm/outcomes"
        assert (
            "同意" in jpn.locator(f"#acm-outcome-rows tr[data-request='{request_id}']").inner_text()
        )
        assert jpn_seat.loads == loads, "the JPN console reloaded"

        # Signing out closes the stream.
        usa.click("#signout")
        usa.locator("#signin").wait_for(state="visible")
        usa.wait_for_function("() => document.body.dataset.live === 'closed'")
        for seat in seats:
            assert seat.outside == [], "the console tried to reach beyond this node"
            assert seat.errors == [], seat.errors
    finally:
        for seat in seats:
            seat.close()


def test_inbox_per_hq_a_non_concurrence_and_an_action_item_falling_due(
    browser: Browser, make_node: NodeFactory
) -> None:
    """On a combined node: the JPN officer's inbox by HQ, a non-concurrence with a
    critical comment from the pane, and working groups whose overdue action item
    raises a notice (read out) and is shown as overdue."""
    node = make_node("JPN", hosted=["USA"])
    people = add_people(node)
    actors = {k: node.users.authenticate(t) for k, t in people.tokens.items()}
    usa_cdr, jpn_cdr = actors["USA commander usa-jfhq"], actors["JPN commander jpn-jjoc"]
    node.acm.delegate(
        jpn_cdr,
        DelegationIn(
            delegate_id=actors["JPN staff_officer jpn-jjoc"].user_id,
            level=Level.BOCC,
            valid_from="2026-01-01T00:00:00Z",
            valid_until="2099-01-01T00:00:00Z",
        ),
    )
    ids = {}
    for hq, subject in (("jpn-jjoc", "Tanker track for D+2"), ("jpn-gcc", "Ground liaison cell")):
        req = node.acm.create_request(
            usa_cdr,
            RequestIn(
                kind=RequestKind.ACTIVITY,
                from_hq_id="usa-jfhq",
                to_hq_ids=[hq],
                subject=subject,
                marking=MarkingIn(releasable_to=["JPN"]),
            ),
        )
        node.acm.send(usa_cdr, req.id)
        ids[hq] = req.id
    group = node.acm.create_group(
        jpn_cdr,
        WorkingGroupIn(
            name_en="Air defence working group",
            name_ja="防空作業部会",
            purpose="Deconflict the exercise airspace.",
            members=[
                Member(nation="JPN", name="J3 air", hq_id="jpn-jjoc"),
                Member(nation="USA", name="A3 plans", hq_id="usa-jfhq"),
            ],
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    past = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    node.acm.add_action(jpn_cdr, group.id, ActionItemIn(title="Publish the ACO", due=past))
    node.acm.add_action(jpn_cdr, group.id, ActionItemIn(title="Brief the JJOC", due=later))
    live = LiveServer(node).start()
    seat = Seat(browser, live.url, "en-US")
    # The first stream the shell opens breaks: it comes back by itself (backoff), once.
    opened: list[str] = []

    def flaky(route: Route) -> None:
        opened.append(route.request.url)
        if len(opened) == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    seat.context.route("**/api/v1/stream", flaky)
    try:
        seat.sign_in(people.tokens["JPN staff_officer jpn-jjoc"])
        page = seat.page
        assert len(opened) == 2
        seat.errors = [e for e in seat.errors if "ERR_CONNECTION_RESET" not in e]
        seat.wait_count("inbox", 2)
        # The overdue item is announced, and read out.
        page.locator("#toasts .toast", has_text="Due now: Publish the ACO").wait_for()
        assert page.locator("#toasts").get_attribute("role") == "status"
        assert page.locator("#toasts .toast", has_text="Brief the JJOC").count() == 0

        # Inbox by HQ.
        page.select_option("#acm-hq", "jpn-gcc")
        seat.wait_count("inbox", 1)
        assert page.locator("#acm-request-list .acm-item").all_inner_texts()[0].count("Ground") == 1
        assert (
            page.locator(f"#acm-request-list .acm-item[data-id='{ids['jpn-jjoc']}']").count() == 0
        )
        page.select_option("#acm-hq", "")
        seat.wait_count("inbox", 2)

        # A non-concurrence with a critical comment, from the pane.
        page.click(f"#acm-request-list .acm-item[data-id='{ids['jpn-jjoc']}'] a")
        page.locator("#acm-t-subject", has_text="Tanker track").wait_for()
        page.fill("#acm-reply-text", "The track crosses the ADIZ boundary.")
        page.select_option("#acm-grade", "critical")
        page.click("#acm-act-non_concur")
        position = page.locator("#acm-t-responses li[data-kind='non_concur'][data-owner='JPN']")
        position.wait_for()
        assert "[Critical] The track crosses the ADIZ boundary." in position.inner_text()
        assert page.locator("#acm-t-positions [data-nation='JPN']").inner_text() == (
            "JPN: non-concurred"
        )
        # A comment with no text is refused in the user's words, nothing is sent.
        page.click("#acm-act-concur_with_comment")
        page.locator("#acm-error", has_text="Write the comment first.").wait_for()
        assert page.locator("#acm-t-responses li").count() == 1

        # Working groups and their action items, the overdue one marked.
        page.click(".acm-views a[data-view='groups']")
        page.locator("#acm-g-name", has_text="Air defence working group").wait_for()
        rows = page.locator("#acm-action-rows tr")
        assert rows.count() == 2
        assert (
            page.locator("#acm-action-rows tr.overdue").inner_text().startswith("Publish the ACO")
        )
        page.click("#console button.lang[data-lang='ja']")
        page.locator("#acm-g-name", has_text="防空作業部会").wait_for()
        assert page.locator(".acm-views a[data-view='groups']").inner_text() == "作業部会"

        # A disabled user's stream is closed by the node; the console signs out and says why.
        node.users.disable(actors["JPN staff_officer jpn-jjoc"].user_id)
        page.locator("#signin").wait_for(state="visible")
        page.locator("#signin-error", has_text="セッションが終了しました").wait_for()
        assert page.evaluate("document.body.dataset.live") == "closed"
        seat.errors = [e for e in seat.errors if "401 (Unauthorized)" not in e]
        assert seat.outside == []
        assert seat.errors == []
    finally:
        seat.close()
        live.stop()
