"""An exercise run from the console across two federated nodes (Debian's
Chromium through Playwright, every request beyond the node refused).

A JPN node and a USA node, federated over mutual TLS on loopback, each served
by a real server. JPN leads a FICTIONAL exercise. In one browser context, the
JPN controller (the exercise's owner) imports its MSEL from a CSV sheet (a
malformed one is refused row by row, changing nothing), approves the inject
addressed to the US JFHQ, due ten real seconds after the start on a 60× clock,
and starts the clock from the exercise pane; in a second, the US staff officer
(a controller for the USA) watches the JFHQ's inbox: the inject is absent
while it is not due (and the USA's database holds nothing of it), then
arrives by itself; the officer records the players' response, released to
JPN, rates it against the USA's training objective, and reads the after-action
report with the serial, the response and the objective in it; JPN's report shows the US response too, once federation carries it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Page
from sqlalchemy import func, select

from alliance.core.exercise import FICTIONAL
from alliance.core.models import MarkingIn
from alliance.exercise import ExerciseDesk
from alliance.exercise.models import (
    ExerciseIn,
    ExerciseRole,
    Participant,
    RoleIn,
)
from alliance.exercise.tables import InjectDeliveryRow, InjectRow
from alliance.node import Node
from tests.conftest import DatabaseFactory, LiveServer, NodeFactory, add_people
from tests.federation.helpers import served_pair, wait_drained, wait_until
from tests.web.test_console import _no_english_left
from tests.web.test_coordination import Seat
from tests.web.test_signin import PANE_CONTROLS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

H_HOUR = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)
SPEED = 60  # an exercise minute a real second
SERIAL = "JPN-007"
DUE = "H+00:10"  # ten exercise minutes after H-hour: ten real seconds after the start
DUE_AT = H_HOUR + timedelta(minutes=10)
DESCRIPTION = "FICTIONAL: a notional fishing vessel reports smoke near the exercise area."
DESCRIPTION_JA = "架空：演習区域付近で想定の漁船が煙を報告。"
HEADER = ["Serial", "DTG", "Sender", "Addressee HQ", "Delivery method", "Description"]
HEADER_JA_ETC = ["Description (JA)", "Expected action", "Releasable to"]
INJECT = [
    SERIAL,
    DUE,
    "Notional higher command (FICTIONAL)",
    "usa-jfhq",
    "email",
    DESCRIPTION,
    DESCRIPTION_JA,
    "Acknowledge; coordinate a search with the partner.",
    "USA",
]
# Row 3 names an HQ that does not exist, row 4 repeats row 2's serial.
BAD_SHEET = [
    [*HEADER, *HEADER_JA_ETC],
    INJECT,
    ["JPN-008", "H+00:20", "EXCON", "no-such-hq", "email", "FICTIONAL: b", "", "", "USA"],
    [SERIAL, "H+00:30", "EXCON", "usa-jfhq", "email", "FICTIONAL: c", "", "", "USA"],
]
OBJECTIVE = "TO-US-1"
RESPONSE = "JFHQ tasked a notional P-8 search within four minutes (FICTIONAL)."


@pytest.fixture
def database_url(new_database: DatabaseFactory) -> str:
    """Two nodes, each on a database of its own (the second from ``new_database``)."""
    return new_database()


@dataclass
class World:
    jpn: Node
    usa: Node
    jpn_live: LiveServer
    usa_live: LiveServer
    tokens: dict[str, str]
    exercise_id: str


@pytest.fixture
def world(make_node: NodeFactory) -> Iterator[World]:
    jpn, usa = served_pair(make_node)
    tokens: dict[str, str] = {}
    for node in (jpn, usa):
        tokens.update(add_people(node).tokens)
    jpn_desk = jpn.desk("exercise", ExerciseDesk)
    usa_desk = usa.desk("exercise", ExerciseDesk)
    controller = jpn.users.authenticate(tokens["JPN staff_officer jpn-jjoc"])
    ex = jpn_desk.create_exercise(
        controller,
        ExerciseIn(
            id="ex-console",
            name=f"Paper Abacus console rehearsal ({FICTIONAL})",
            name_ja="ペーパー・アバカス　コンソール予行（架空）",
            participants=[
                Participant(nation="JPN", hq_id="jpn-jjoc"),
                Participant(nation="USA", hq_id="usa-jfhq"),
            ],
            h_hour=H_HOUR,
            clock_speed=1.0,
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    wait_drained(jpn, [usa], timeout=30)
    # The USA gives its staff officer the controller role in the exercise (its own record).
    usa_cdr = usa.users.authenticate(tokens["USA commander usa-jfhq"])
    officer = usa.users.authenticate(tokens["USA staff_officer usa-jfhq"])
    for role in (ExerciseRole.CONTROLLER, ExerciseRole.EVALUATOR, ExerciseRole.EDITOR):
        usa_desk.assign_role(usa_cdr, ex.id, RoleIn(user_id=officer.user_id, role=role))
    jpn_live, usa_live = LiveServer(jpn).start(), LiveServer(usa).start()
    try:
        # The USA's own training objective, which its evaluator rates against.
        with httpx.Client(
            base_url=usa_live.url + "/api/v1",
            headers={"Authorization": f"Bearer {tokens['USA staff_officer usa-jfhq']}"},
        ) as api:
            made = api.post(
                f"/exercises/{ex.id}/objectives",
                json={
                    "code": OBJECTIVE,
                    "title": "Coordinate a combined search (FICTIONAL)",
                    "marking": {"releasable_to": ["JPN"]},
                },
            )
            assert made.status_code == 201, made.text
        yield World(jpn, usa, jpn_live, usa_live, tokens, ex.id)
    finally:
        jpn_live.stop()
        usa_live.stop()


def _sheet(rows: list[list[str]]) -> FilePayload:
    """A CSV sheet, as the file the user picks."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return {"name": "msel.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}


def _count(node: Node, model: type[InjectRow] | type[InjectDeliveryRow]) -> int:
    with node.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _reachable(page: Page) -> None:
    """Every control of the pane shown can be brought on screen at 1024×768 and
    takes the focus; nothing lies beyond a sideways scroll of the page."""
    controls = page.evaluate(PANE_CONTROLS)
    assert controls
    for c in controls:
        assert c["left"] >= 0, c
        assert c["right"] <= 1025, c
        assert c["bottom"] > 0, c
        assert c["tabbable"], c
        assert c["focused"], c
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024


# The text of the pane shown, without what users wrote in English and the pane
# shows as English (marked lang="en" in a Japanese console): that is not a
# label left untranslated (nor are the user's name and HQ in the header).
SHOWN_JS = """() => {
  const pane = document.querySelector('#console .pane.active');
  const marked = [...pane.querySelectorAll('[lang="en"]')].filter(e => !e.hidden);
  for (const e of marked) e.hidden = true;
  const text = pane.innerText;
  for (const e of marked) e.hidden = false;
  return text;
}"""


class _Japanese:
    """What test_console's check of leftover English needs of a page: its
    strings' tables (``js``) and the text it shows (``page.inner_text``)."""

    def __init__(self, page: Page) -> None:
        self._page = page
        self.page = self

    def js(self, script: str) -> object:
        return self._page.evaluate(script)

    def inner_text(self, _selector: str) -> str:
        return str(self._page.evaluate(SHOWN_JS))


def _exercise_time(page: Page) -> datetime:
    """The exercise time the pane's clock shows now."""
    iso = page.locator("#ex-clock-time").get_attribute("data-iso") or ""
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def test_a_controller_starts_the_clock_and_the_partner_answers_the_inject(
    browser: Browser, world: World
) -> None:
    jpn_seat = Seat(browser, world.jpn_live.url, "en-US")
    usa_seat = Seat(browser, world.usa_live.url, "en-US")
    seats = (jpn_seat, usa_seat)
    ex = world.exercise_id
    try:
        for seat, token in (
            (jpn_seat, world.tokens["JPN staff_officer jpn-jjoc"]),
            (usa_seat, world.tokens["USA staff_officer usa-jfhq"]),
        ):
            page = seat.page
            page.goto(f"{seat.base}/console/#/exercise/msel/{ex}")
            page.fill("#token", token)
            page.click("#signin-button")
            page.locator("#pane-exercise").wait_for(state="visible")
            page.wait_for_function("() => document.body.dataset.live === 'live'")
            page.locator("#ex-clock-state[data-state='planning']").wait_for()
        jpn, usa = jpn_seat.page, usa_seat.page

        # JPN's controller imports the MSEL from a sheet: a malformed one is
        # refused, every bad row and column named, and nothing is imported.
        jpn.locator("#ex-msel-empty").wait_for(state="visible")
        jpn.set_input_files("#ex-import-file", files=[_sheet(BAD_SHEET)])
        jpn.click("#ex-import-send")
        errors = jpn.locator("#ex-import-errors li")
        errors.first.wait_for()
        fields = errors.evaluate_all("items => items.map(i => i.dataset.field)")
        assert fields == ["rows.3.Addressee HQ", "rows.4.Serial"], fields
        assert errors.nth(0).inner_text().startswith("Row 3, column Addressee HQ")
        assert "not imported" in jpn.locator("#ex-import-errors .ex-import-head").inner_text()
        assert jpn.locator("#ex-msel-rows tr").count() == 0
        # (The browser notes the refusal's status; nothing else went wrong.)
        assert [e for e in jpn_seat.errors if "422" not in e] == []
        jpn_seat.errors.clear()
        # The good row alone is imported, as a draft, and approved from the pane.
        good = [[*HEADER, *HEADER_JA_ETC], INJECT]
        jpn.set_input_files("#ex-import-file", files=[_sheet(good)])
        jpn.click("#ex-import-send")
        jpn.locator("#ex-import-done", has_text="1 row(s) imported from the CSV file").wait_for()
        assert jpn.locator("#ex-import-errors").is_hidden()
        row = jpn.locator(f"#ex-msel-rows tr[data-serial='{SERIAL}']")
        row.wait_for()
        assert row.get_attribute("data-state") == "draft"
        row.locator("button.ex-approve").click()
        jpn.locator(f"#ex-msel-rows tr[data-serial='{SERIAL}'][data-state='approved']").wait_for()
        assert "H+00:10" in row.inner_text()
        # The USA's database holds nothing of it.
        assert _count(world.usa, InjectRow) == 0
        _reachable(jpn)
        # Only the lead nation's controllers run the clock.
        assert usa.locator("#ex-controls").is_hidden()
        assert "JPN" in usa.locator("#ex-controls-note").inner_text()

        # The US officer watches the JFHQ's inbox: empty.
        usa.click("#ex-views a[data-view='inbox']")
        usa.locator("#ex-inbox-empty").wait_for(state="visible")
        assert usa.locator("#ex-hq").input_value() == "usa-jfhq"

        # JPN's controller starts the clock at 60×.
        jpn.fill("#ex-speed", str(SPEED))
        jpn.click("#ex-start")
        jpn.locator("#ex-clock-state[data-state='running']").wait_for()
        # The US pane learns of it by the stream (the lead's exercise row, replicated).
        usa.locator("#ex-clock-state[data-state='running']").wait_for()
        assert usa.locator("#ex-clock-speed").inner_text() == "60×"
        # Not yet due (the US pane's clock says so): nothing in the inbox, and
        # nothing of it in the USA's database.
        assert _exercise_time(usa) < DUE_AT
        assert usa.locator("#ex-inbox-list li").count() == 0
        assert _count(world.usa, InjectDeliveryRow) == 0
        assert _count(world.usa, InjectRow) == 0

        # Due: it arrives by itself, announced.
        item = usa.locator(f"#ex-inbox-list li[data-serial='{SERIAL}']")
        item.wait_for(timeout=30_000)
        assert DESCRIPTION in item.inner_text()
        usa.locator("#toasts .toast", has_text=f"Inject {SERIAL} delivered").wait_for()
        # The ticking clock is past the inject's moment.
        usa.wait_for_function(
            "(due) => document.querySelector('#ex-clock-time').dataset.iso >= due",
            arg=DUE_AT.isoformat().replace("+00:00", ".000Z"),
            timeout=5_000,
        )
        assert usa.locator("#ex-clock-hplus").inner_text() >= "H+00:10:00"
        # JPN's MSEL shows it delivered, live.
        jpn.locator(f"#ex-msel-rows tr[data-serial='{SERIAL}'][data-state='delivered']").wait_for()

        # The US officer records the players' response (released to JPN).
        item.locator("button.ex-observe").click()
        usa.fill("#ex-observe-text", RESPONSE)
        assert usa.locator("#ex-observe-release").is_checked()
        usa.click("#ex-observe-send")
        seen = usa.locator("#ex-observation-list li .ex-response", has_text=RESPONSE)
        seen.wait_for()
        usa.locator(f"#ex-inbox-list li[data-serial='{SERIAL}'] .ex-answered").wait_for()
        assert usa.locator("#ex-observe-form").is_hidden()
        _reachable(usa)

        # The US officer, an evaluator too, rates the response against the USA's objective.
        observation = usa.locator("#ex-observation-list li", has_text=RESPONSE)
        observation.locator("button.ex-evaluate").click()
        objective = usa.locator("#ex-evaluate-objective option", has_text=OBJECTIVE)
        usa.select_option("#ex-evaluate-objective", objective.get_attribute("value"))
        usa.check("#ex-evaluate-form input[name='ex-rating'][value='P']")
        usa.fill("#ex-evaluate-comment", "Search began late (FICTIONAL).")
        usa.click("#ex-evaluate-send")
        rating = observation.locator(".ex-rating[data-rating='P']")
        rating.wait_for()
        assert OBJECTIVE in rating.inner_text()
        assert usa.locator("#ex-evaluate-form").is_hidden()

        # The after-action report opens, with the serial and the response.
        usa.click("#ex-views a[data-view='aar']")
        report = usa.locator("#ex-aar-doc .ex-aar-body")
        report.wait_for()
        text = report.inner_text()
        assert SERIAL in text
        assert RESPONSE in text
        assert FICTIONAL in text
        assert OBJECTIVE in text

        # JPN's report carries the US response once federation brings it.
        wait_until(
            lambda: any(
                o.owner == "USA"
                for o in world.jpn.desk("exercise", ExerciseDesk).observations(
                    world.jpn.users.authenticate(world.tokens["JPN staff_officer jpn-jjoc"]), ex
                )
            ),
            timeout=30,
            what="the US observation to reach JPN",
        )
        jpn.click("#ex-views a[data-view='aar']")
        jpn.locator("#ex-aar-doc .ex-aar-body", has_text=RESPONSE).wait_for()

        # In Japanese, the pane speaks Japanese.
        usa.click("#ex-views a[data-view='inbox']")
        usa.click("#console button.lang[data-lang='ja']")
        usa.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert usa.locator("#tabs .tab[data-pane='pane-exercise']").inner_text() == "演習"
        assert usa.locator("#ex-clock-state").inner_text() == "進行中"
        item.locator("button.ex-observe", has_text="対応を記録").wait_for()
        # The inject's own Japanese where JPN wrote it, the English one on hover.
        said = item.locator("p.ex-text")
        assert said.inner_text() == DESCRIPTION_JA
        assert said.get_attribute("title") == DESCRIPTION
        _no_english_left(_Japanese(usa))  # type: ignore[arg-type]

        for seat in seats:
            assert seat.outside == [], "the console tried to reach beyond this node"
            assert seat.errors == [], seat.errors
    finally:
        for seat in seats:
            seat.close()
