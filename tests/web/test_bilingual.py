"""Bilingual data in the console: what the owner wrote in Japanese is what a
Japanese console shows, and the English is one hover or one line away.

One node hosting JPN and USA authority, served by a real server; a JPN staff
officer's browser in Japanese, then switched to English. JPN's ship has its
callsign and remarks in both languages, USA's fighter in English only; JPN's
request has its subject in both, USA's in English only; JPN's action item its
title in both. In Japanese the panes show the Japanese ones where they exist
and the English otherwise; in English, the English ones; the other language's
is on hover and in the detail; the COP table's search finds a track by either
callsign; dates are written with Japanese months (as the API's ``z_ja``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route

from alliance.acm import ActionItemIn, RequestIn, RequestKind, WorkingGroupIn
from alliance.acm.models import Member
from alliance.cop import ReportIn
from alliance.core.dtg import format_dtg_ja
from alliance.core.models import MarkingIn
from tests.conftest import LiveServer, NodeFactory, add_people

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

WAIT_MS = 30_000

SHIP = ReportIn(
    uid="JPN-EX-DD07",
    sidc="SFSPCLDD-------",
    callsign="BLUE DD 07 (notional)",
    callsign_ja="演習護衛艦07（想定）",
    remarks="Escort for the exercise, notional",
    remarks_ja="演習の護衛艦（想定）",
    lat=33.1,
    lon=135.2,
    stale_seconds=3600,
    marking=MarkingIn(releasable_to=["USA"]),
)
FIGHTER = ReportIn(
    uid="USA-EX-FTR51",
    sidc="SFAPMFF--------",
    callsign="BLUE FTR 51 (notional)",
    lat=31.0,
    lon=137.5,
    stale_seconds=3600,
    marking=MarkingIn(releasable_to=["JPN"]),
)
SUBJECT = "Bilateral air defence window (notional)"
SUBJECT_JA = "日米防空訓練の実施期間（想定）"
US_SUBJECT = "Liaison cell names for the exercise (notional)"
TITLE = "Provide the coverage overlay"
TITLE_JA = "防護範囲図の提供"
# A DTG as Japanese writes a date: 2026年7月27日 1200Z (alliance.core.dtg.format_dtg_ja).
JA_DTG = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{2})(\d{2})([ZIW])")


@dataclass
class Served:
    live: LiveServer
    token: str
    request_id: str
    us_request_id: str
    group_id: str
    due_z_ja: str


@pytest.fixture
def served(make_node: NodeFactory) -> Iterator[Served]:
    node = make_node("JPN", hosted=["USA"])
    people = add_people(node)
    actors = {k: node.users.authenticate(t) for k, t in people.tokens.items()}
    jpn, usa = actors["JPN staff_officer jpn-jjoc"], actors["USA staff_officer usa-jfhq"]
    node.cop.report(jpn, SHIP)
    node.cop.report(usa, FIGHTER)
    due = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    mine = node.acm.create_request(
        jpn,
        RequestIn(
            kind=RequestKind.ACTIVITY,
            from_hq_id="jpn-jjoc",
            to_hq_ids=["usa-jfhq"],
            subject=SUBJECT,
            subject_ja=SUBJECT_JA,
            due=due,
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    node.acm.send(jpn, mine.id)
    theirs = node.acm.create_request(
        usa,
        RequestIn(
            kind=RequestKind.RFI,
            from_hq_id="usa-jfhq",
            to_hq_ids=["jpn-jjoc"],
            subject=US_SUBJECT,
            marking=MarkingIn(releasable_to=["JPN"]),
        ),
    )
    node.acm.send(usa, theirs.id)
    group = node.acm.create_group(
        actors["JPN commander jpn-jjoc"],
        WorkingGroupIn(
            name_en="Air Defence Working Group",
            name_ja="防空作業部会",
            members=[
                Member(nation="JPN", name="J3", hq_id="jpn-jjoc"),
                Member(nation="USA", name="J3", hq_id="usa-jfhq"),
            ],
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    node.acm.add_action(jpn, group.id, ActionItemIn(title=TITLE, title_ja=TITLE_JA))
    live = LiveServer(node).start()
    try:
        assert mine.due is not None
        yield Served(
            live,
            people.tokens["JPN staff_officer jpn-jjoc"],
            mine.id,
            theirs.id,
            group.id,
            mine.due.z_ja,
        )
    finally:
        live.stop()


class Seat:
    """A browser context in Japanese on the node, recording what the page said."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.base = base
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
        self.context.route("**/*", self._only_this_node)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _only_this_node(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type in {"error", "warning"}:
            self.errors.append(f"{msg.type}: {msg.text}")

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def title(self, selector: str) -> str:
        return self.page.locator(selector).get_attribute("title") or ""

    def row(self, uid: str) -> str:
        return f"#track-rows tr[data-uid='{uid}']"

    def rows(self) -> set[str]:
        uids = self.page.locator("#track-rows tr").evaluate_all(
            "rows => rows.map(r => r.dataset.uid)"
        )
        return set(uids)

    def search(self, text: str, want: set[str]) -> None:
        self.page.fill("#f-search", text)
        self.page.wait_for_function(
            "(n) => document.querySelectorAll('#track-rows tr').length === n", arg=len(want)
        )
        assert self.rows() == want, text

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def seat(browser: Browser, served: Served) -> Iterator[Seat]:
    chair = Seat(browser, served.live.url)
    yield chair
    chair.close()


def _ja_moment(text: str) -> datetime:
    found = JA_DTG.fullmatch(text)
    assert found, text
    year, month, day, hour, minute, zone = found.groups()
    offset = {"Z": 0, "I": 9, "W": -10}[zone]
    local = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=UTC)
    return local - timedelta(hours=offset)


def test_each_language_shows_its_own_names_and_the_other_is_one_hover_away(
    seat: Seat, served: Served
) -> None:
    page = seat.page
    page.goto(served.live.url + "/console/#/cop")
    page.fill("#token", served.token)
    page.click("#signin-button")
    page.locator("#console").wait_for(state="visible")
    assert page.evaluate("document.documentElement.lang") == "ja"
    page.locator(seat.row("USA-EX-FTR51")).wait_for()

    # 日本語: the Japanese callsign where the owner gave one, the English otherwise.
    ship, fighter = seat.row("JPN-EX-DD07"), seat.row("USA-EX-FTR51")
    assert seat.text(f"{ship} td.callsign") == SHIP.callsign_ja
    assert seat.title(f"{ship} td.callsign") == f"{SHIP.callsign_ja} / {SHIP.callsign}"
    assert seat.text(f"{fighter} td.callsign") == FIGHTER.callsign
    assert seat.title(f"{fighter} td.callsign") == FIGHTER.callsign
    label = ".trk[data-uid='JPN-EX-DD07'] .lbl span"
    assert page.locator(label).first.inner_text() == SHIP.callsign_ja
    page.click(ship)
    page.locator("#d-callsign", has_text=SHIP.callsign_ja).wait_for()
    assert seat.text("#d-callsign-other") == SHIP.callsign
    assert seat.text("#d-remarks") == SHIP.remarks_ja
    assert seat.text("#d-remarks-other") == SHIP.remarks
    # Dates with Japanese months, as the node writes them (format_dtg_ja).
    times = page.locator("#d-time div").all_inner_texts()
    assert [t.split("  ")[1] for t in times] == ["Z", "JST", "HST"]
    assert len({_ja_moment(t.split("  ")[0]) for t in times}) == 1, times
    clock = [seat.text(f"#clock-{zone}") for zone in ("z", "jst", "hst")]
    moments = {_ja_moment(c) for c in clock}
    assert max(moments) - min(moments) <= timedelta(minutes=1), clock
    now = datetime.now(UTC)
    assert abs(min(moments) - now) < timedelta(minutes=2), clock
    assert clock[0] in {format_dtg_ja(now - timedelta(minutes=1)), format_dtg_ja(now)}
    assert not re.search(r"JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC", " ".join(clock))
    # The table keeps the short military form, the whole date (in Japanese) on hover.
    assert re.fullmatch(r"\d{6}Z", seat.text(f"{ship} td:nth-child(6)"))
    assert JA_DTG.fullmatch(seat.title(f"{ship} td:nth-child(6)"))

    # The search finds a track by its callsign in either language, whatever is shown.
    seat.search("blue dd 07", {"JPN-EX-DD07"})
    seat.search("護衛艦", {"JPN-EX-DD07"})
    seat.search("FTR 51", {"USA-EX-FTR51"})
    seat.search("", {"JPN-EX-DD07", "USA-EX-FTR51"})

    # The coordination pane: the Japanese subject and title, the English otherwise.
    page.goto(f"{served.live.url}/console/#/acm/requests/{served.request_id}")
    page.locator("#acm-t-subject", has_text=SUBJECT_JA).wait_for()
    assert seat.text("#acm-t-subject-other") == SUBJECT
    assert seat.text("#acm-t-due") == served.due_z_ja == "2026年12月1日 0300Z"
    mine = f"#acm-request-list .acm-item[data-id='{served.request_id}'] .acm-subject"
    assert seat.text(mine) == SUBJECT_JA
    assert seat.title(mine) == SUBJECT
    page.goto(f"{served.live.url}/console/#/acm/requests/{served.us_request_id}")
    page.locator("#acm-t-subject", has_text=US_SUBJECT).wait_for()
    assert page.locator("#acm-t-subject-other").is_hidden()
    theirs = f"#acm-request-list .acm-item[data-id='{served.us_request_id}'] .acm-subject"
    assert seat.text(theirs) == US_SUBJECT
    page.goto(f"{served.live.url}/console/#/acm/groups/{served.group_id}")
    action = page.locator("#acm-action-rows td.acm-title")
    action.wait_for()
    assert (action.inner_text(), action.get_attribute("title")) == (TITLE_JA, TITLE)
    page.goto(f"{served.live.url}/console/#/acm/outcomes")  # leaves the group shown

    # A request drafted here takes a Japanese subject beside the English one.
    page.goto(f"{served.live.url}/console/#/acm/new")
    page.select_option("#acm-n-to", "usa-jfhq")
    page.fill("#acm-n-subject", "Range schedule (notional)")
    page.fill("#acm-n-subject-ja", "射場の日程（想定）")
    page.click("#acm-n-send")
    page.locator("#acm-t-subject", has_text="射場の日程（想定）").wait_for()
    assert seat.text("#acm-t-subject-other") == "Range schedule (notional)"
    new_id = urlsplit(page.url).fragment.rsplit("/", 1)[-1]
    with httpx.Client(
        base_url=served.live.url + "/api/v1", headers={"Authorization": f"Bearer {served.token}"}
    ) as api:
        made = api.get(f"/acm/requests/{new_id}").json()["request"]
    assert (made["subject"], made["subject_ja"]) == (
        "Range schedule (notional)",
        "射場の日程（想定）",
    )
    assert page.input_value("#acm-n-subject-ja") == ""  # the form is emptied for the next one

    # English: the English ones, the Japanese on hover; dates in the military form.
    page.click("#console button.lang[data-lang='en']")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.goto(f"{served.live.url}/console/#/acm/groups/{served.group_id}")
    page.locator("#acm-action-rows td.acm-title", has_text=TITLE).wait_for()
    assert (action.inner_text(), action.get_attribute("title")) == (TITLE, TITLE_JA)
    page.goto(f"{served.live.url}/console/#/acm/requests/{served.request_id}")
    page.locator("#acm-t-subject", has_text=SUBJECT).wait_for()
    assert seat.text("#acm-t-subject-other") == SUBJECT_JA
    assert seat.text("#acm-t-due") == "010300Z DEC 26"
    assert seat.text(mine) == SUBJECT
    assert seat.title(mine) == SUBJECT_JA
    assert re.fullmatch(r"\d{6}Z [A-Z]{3} \d{2}", seat.text("#clock-z"))
    page.goto(served.live.url + "/console/#/cop")
    page.locator(seat.row("JPN-EX-DD07")).wait_for()
    assert seat.text(f"{ship} td.callsign") == SHIP.callsign
    assert seat.title(f"{ship} td.callsign") == f"{SHIP.callsign} / {SHIP.callsign_ja}"
    assert page.locator(label).first.inner_text() == SHIP.callsign
    page.click(ship)
    page.locator("#d-callsign", has_text=SHIP.callsign).wait_for()
    assert seat.text("#d-callsign-other") == SHIP.callsign_ja
    assert seat.text("#d-remarks") == SHIP.remarks
    assert seat.text("#d-remarks-other") == SHIP.remarks_ja
    seat.search("護衛艦", {"JPN-EX-DD07"})

    assert seat.outside == [], "the console tried to reach beyond this node"
    assert seat.errors == []
