"""The structure and health panes in a real browser, on real nodes.

Structure: the USA staff officer opens the org pane of a combined JPN+USA
node and sees both nations' trees drawn (SVG): HQ and unit boxes that do not
overlap, a command relationship (solid, labelled OPCON), a support
relationship added across the two nations (dashed, labelled by its kind), a
counterpart pair; a box chosen with the keyboard shows its details; in
Japanese the labels are Japanese.

Health: a USA node pulls from a JPN partner over the real mutual TLS with the
real JPN key; the JPN endpoint (tests/federation/fake_partner) spoils one
item's signature, so the USA node quarantines it and stops the link, as the
federation fault tests do. The staff officer sees the stopped link and is told
that only the administrator may resume it; the administrator sees the item and
its reason, is refused a resume without a note, resumes with one, and the
link runs again to the end of the stream. The ledger's real head is shown and
a verification's result appears after clicking verify.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page

from alliance.core.authority import Actor, Role
from alliance.core.keys import NodeKey
from alliance.core.models import MarkingIn
from alliance.federation.stream import read_stream
from alliance.federation.wire import Item
from alliance.node import Node
from alliance.org import Party, RelationshipIn, RelKind, UnitIn
from alliance.store.ledger import ledger_status
from tests.conftest import DatabaseFactory, LiveServer, NodeFactory, add_people
from tests.federation.fake_partner import FakePartner
from tests.federation.helpers import bundle_of, give_pki, link, wait_until
from tests.web.test_csp import Watched

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture
def database_url(new_database: DatabaseFactory) -> str:
    """Each node a database of its own (tests/web's one SQLite file is for one node)."""
    return new_database()


def _sign_in(watched: Watched, url: str, token: str) -> Page:
    page = watched.page
    page.goto(url + "/console/")
    page.fill("#token", token)
    page.click("#signin-button")
    page.locator("#console").wait_for(state="visible")
    return page


# -- structure -----------------------------------------------------------------------


@pytest.fixture
def structure(make_node: NodeFactory) -> Iterator[tuple[LiveServer, dict[str, str], str]]:
    node = make_node("JPN", hosted=["USA"])
    people = add_people(node)
    usa = Actor("usa-cdr", "USA commander", "USA", "usa-jfhq", Role.COMMANDER)
    # A support relationship across the nations: a US air defence battalion in
    # direct support of Japan's Ground Component Command.
    support = node.org.create_relationship(
        usa,
        RelationshipIn(
            kind=RelKind.DIRECT_SUPPORT,
            superior=Party(kind="hq", id="jpn-gcc"),
            subordinate=Party(kind="unit", id="usa-1-1ada"),
            valid_from=datetime.now(UTC),
            marking=MarkingIn(releasable_to=["JPN"]),
        ),
    )
    live = LiveServer(node).start()
    try:
        yield live, people.tokens, support.id
    finally:
        live.stop()


BOXES_JS = """() => [...document.querySelectorAll('#org-view .org-node')].map(g => {
  const r = g.querySelector('rect').getBoundingClientRect();
  return {id: g.dataset.id, type: g.dataset.type, nation: g.dataset.nation,
          text: g.querySelector('.box-name').textContent,
          x: r.x, y: r.y, w: r.width, h: r.height};
})"""


def test_the_org_tree_of_both_nations_is_drawn(
    browser: Browser, structure: tuple[LiveServer, dict[str, str], str]
) -> None:
    live, tokens, support_id = structure
    watched = Watched(browser, https=False)
    try:
        page = _sign_in(watched, live.url, tokens["USA staff_officer usa-jfhq"])
        page.click("#tabs .tab[data-pane='pane-org']")
        page.locator("#org-view .org-node[data-id='usa-1-1ada']").wait_for()

        # Both nations, each a tree: its HQs and units as boxes, none on another.
        boxes = page.evaluate(BOXES_JS)
        by_id = {b["id"]: b for b in boxes}
        assert by_id["nation:JPN"]["text"] == "Japan"
        assert by_id["nation:USA"]["text"] == "United States"
        assert by_id["jpn-jjoc"]["text"] == "JJOC"
        assert by_id["usa-jfhq"]["text"] == "USFJ"
        hqs = {b["id"] for b in boxes if b["type"] == "hq"}
        units = {b["id"] for b in boxes if b["type"] == "unit"}
        assert {"jpn-jjoc", "jpn-gcc", "jpn-adc", "usa-jfhq", "usa-5af", "usa-indopacom"} <= hqs
        assert {"jpn-2aw", "usa-18wg", "usa-1-1ada"} <= units
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = (
                    a["x"] + a["w"] <= b["x"] + 0.5
                    or b["x"] + b["w"] <= a["x"] + 0.5
                    or a["y"] + a["h"] <= b["y"] + 0.5
                    or b["y"] + b["h"] <= a["y"] + 0.5
                )
                assert apart, (a["id"], b["id"])
        # Each box sits right of its parent (depth runs left to right).
        assert by_id["jpn-adc"]["x"] > by_id["jpn-jjoc"]["x"] > by_id["nation:JPN"]["x"]

        # A command relationship: solid, labelled by its kind.
        opcon = page.locator(
            "path.edge-command[data-kind='opcon'][data-from='jpn-jjoc'][data-to='jpn-adc']"
        )
        assert opcon.count() == 1
        assert opcon.evaluate("e => getComputedStyle(e).strokeDasharray") == "none"
        rel_id = opcon.get_attribute("data-rel")
        assert page.locator(f"text.edge-label[data-rel='{rel_id}']").text_content() == "OPCON"
        # The support relationship: dashed, labelled by its kind.
        support = page.locator(f"path.edge-support[data-rel='{support_id}']")
        assert support.get_attribute("data-kind") == "direct_support"
        assert support.evaluate("e => getComputedStyle(e).strokeDasharray") != "none"
        label = page.locator(f"text.edge-label[data-rel='{support_id}']")
        assert label.text_content() == "direct support"
        # Counterparts across the nations: one link per pair, in its own style.
        pair = page.locator("path.edge-counterpart[data-a='jpn-jjoc'][data-b='usa-jfhq']")
        assert pair.count() == 1
        assert page.locator("path.edge-counterpart[data-a='usa-jfhq']").count() == 0
        styles = page.evaluate(
            """() => ['edge-command', 'edge-support', 'edge-counterpart'].map(c => {
                 const s = getComputedStyle(document.querySelector('#org-view path.' + c));
                 return s.stroke + ' ' + s.strokeDasharray; })"""
        )
        assert len(set(styles)) == 3, styles
        assert page.locator("#org-legend").inner_text().count("\n") >= 4

        # The keyboard reaches a box; Enter shows its details.
        page.focus("#org-view .org-node[data-id='jpn-jjoc']")
        page.keyboard.press("Enter")
        page.locator("#od-name", has_text="Japan Joint Operations Command").wait_for()
        assert page.locator("#od-name-other").inner_text() == "統合作戦司令部"
        rels = page.locator("#od-rels li").all_inner_texts()
        assert "operational control (OPCON) over ADC" in rels, rels
        assert page.locator("#od-counterparts li").all_inner_texts() == ["USFJ"]
        page.click("#org-view .org-node[data-id='jpn-gcc']")
        page.locator("#od-rels li", has_text="direct support from").wait_for()

        # Pan and zoom: the drawing moves and scales.
        before = page.locator("#org-view").get_attribute("transform")
        page.click("#org-zoom-in")
        assert page.locator("#org-view").get_attribute("transform") != before

        # In Japanese: names, edge labels, legend.
        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert page.locator("#tabs .tab[data-pane='pane-org']").inner_text() == "組織"
        by_id = {b["id"]: b for b in page.evaluate(BOXES_JS)}
        assert by_id["nation:JPN"]["text"] == "日本"
        assert by_id["nation:USA"]["text"] == "米国"
        assert page.locator(f"text.edge-label[data-rel='{rel_id}']").text_content() == "作戦統制"
        assert (
            page.locator(f"text.edge-label[data-rel='{support_id}']").text_content() == "直接支援"
        )
        assert "カウンターパート" in page.locator("#org-legend").inner_text()
        assert page.locator("#od-name").inner_text() == "陸上総隊"
        assert watched.violations() == []
    finally:
        watched.context.close()
    assert watched.outside == []
    assert watched.errors == []


# -- health --------------------------------------------------------------------------


@dataclass
class Health:
    usa: Node
    jpn: Node
    fake: FakePartner
    genuine: list[Item]
    live: LiveServer
    tokens: dict[str, str]


STAFF_JPN = Actor("jpn-staff", "JPN staff", "JPN", "jpn-jjoc", Role.STAFF_OFFICER)


@pytest.fixture
def health(make_node: NodeFactory) -> Iterator[Health]:
    usa = make_node("USA")
    jpn = make_node("JPN")
    jpn_pki = give_pki(jpn)
    usa_pki = give_pki(usa)
    with FakePartner(jpn_pki, usa_pki.ca_pem, jpn.key, "USA") as fake:
        usa.federation.add_partner(bundle_of(jpn, fake.url))
        jpn.federation.add_partner(bundle_of(usa))
        for i in range(5):
            jpn.org.create_unit(
                STAFF_JPN,
                UnitIn(
                    hq_id="jpn-gcc",
                    name_en=f"Released {i}",
                    name_ja=f"提供 {i}",
                    sidc="SFGPUCI----H---",
                    domain="land",
                    marking=MarkingIn(releasable_to=["USA"]),
                ),
            )
        genuine = read_stream(jpn.db, "USA", 0, 10_000)
        # The JPN endpoint serves its genuine stream with one item's signature forged.
        spoiled = list(genuine)
        victim = spoiled[-2]
        spoiled[-2] = Item(
            victim.seq,
            victim.hash,
            victim.prev_hash,
            NodeKey.generate().sign(bytes.fromhex(victim.hash)),
            victim.body,
        )
        fake.items = spoiled
        tokens = add_people(usa).tokens
        usa.serve_federation(wait=0.5)
        wait_until(lambda: link(usa, "JPN").state == "stopped", 20, "the link to stop")
        live = LiveServer(usa).start()
        try:
            yield Health(usa, jpn, fake, genuine, live, tokens)
        finally:
            live.stop()
            usa.federation.stop()


def _link_row(page: Page) -> dict[str, str]:
    cells = page.locator("#links-rows tr[data-partner='JPN'] td").all_inner_texts()
    keys = ["partner", "state", "sent", "queue", "last_pull", "received", "lag", "last_received"]
    keys.append("quarantined")
    return dict(zip(keys, cells, strict=True))


def test_health_shows_a_quarantined_link_and_the_administrator_resumes_it(
    browser: Browser, health: Health
) -> None:
    h = health
    applied = len(h.genuine) - 2  # the items before the spoiled one
    assert link(h.usa, "JPN").received_seq == applied

    # The staff officer sees the stopped link, and that only the administrator resumes it.
    staff = Watched(browser, https=False)
    try:
        page = _sign_in(staff, h.live.url, h.tokens["USA staff_officer usa-jfhq"])
        page.click("#tabs .tab[data-pane='pane-health']")
        page.locator("#links-rows tr[data-partner='JPN']").wait_for()
        row = _link_row(page)
        assert row["state"] == "stopped"
        assert row["quarantined"] == "1"
        assert row["received"].startswith(f"{applied} / ")
        state = link(h.usa, "JPN")
        assert row["sent"] == f"{state.sent_seq} / {state.acked_seq}"
        assert row["queue"] == str(state.sent_seq - state.acked_seq)
        assert state.last_received_at is not None
        assert row["last_received"].endswith(state.last_received_at.strftime("%b%y").upper())
        assert page.locator("#quarantine").is_hidden()
        assert page.locator("form.resume").count() == 0
        assert page.locator("#resume-forms .admin-only").inner_text() == (
            "The link to JPN is stopped: 1 item(s) quarantined. "
            "Only a node administrator may see the items and resume the link."
        )
        assert page.locator("#users-note").inner_text() == (
            "The list of users is shown to node administrators only."
        )
        assert page.locator("#ledger-verify-button").is_hidden()
    finally:
        staff.context.close()
    assert staff.errors == []

    # A viewer is told, in both languages, what the pane does not show them.
    viewer = Watched(browser, https=False)
    try:
        page = _sign_in(viewer, h.live.url, h.tokens["USA viewer usa-jfhq"])
        page.click("#tabs .tab[data-pane='pane-health']")
        page.locator("#links-note").wait_for()
        assert page.locator("#links-note").inner_text() == (
            "Federation status is shown to commanders, staff officers and node administrators only."
        )
        assert page.locator("#links-table").is_hidden()
        assert page.locator("#ledger-facts").is_hidden()
        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert page.locator("#ledger-note").inner_text() == (
            "台帳の状況は指揮官・幕僚・ノード管理者にのみ表示されます。"
        )
    finally:
        viewer.context.close()
    assert viewer.errors == []  # nothing was asked that the server would refuse

    admin = Watched(browser, https=False)
    try:
        page = _sign_in(admin, h.live.url, h.tokens["USA admin usa-jfhq"])
        page.click("#tabs .tab[data-pane='pane-health']")
        page.locator("#quarantine-rows tr[data-partner='JPN']").wait_for()

        # The quarantined item, with the check that failed and its reason.
        (item,) = h.usa.federation.partners.quarantine("JPN")
        cells = page.locator("#quarantine-rows tr[data-partner='JPN'] td").all_inner_texts()
        assert cells[:4] == ["JPN", str(item.seq), "bad_signature", item.reason["en"]]
        assert _link_row(page)["state"] == "stopped"

        # The users and their roles.
        users = page.locator("#users-rows tr").all_inner_texts()
        assert any("USA viewer usa-jfhq" in u and "viewer" in u for u in users), users
        assert any("USA admin usa-jfhq" in u and "node administrator" in u for u in users)

        # The ledger: the real head; a verification's result after clicking verify.
        status = ledger_status(h.usa.db)
        assert page.locator("#ledger-head").inner_text() == str(status.head_seq)
        assert page.locator("#ledger-hash").inner_text() == status.head_hash
        assert page.locator("#ledger-verify").get_attribute("data-result") == "never"
        page.click("#ledger-verify-button")
        page.locator("#ledger-verify[data-result='ok']").wait_for()
        verified = ledger_status(h.usa.db).last_verify
        assert verified is not None
        assert verified.ok
        assert (
            page.locator("#ledger-verify")
            .inner_text()
            .startswith(f"Intact: {verified.checked} events checked at ")
        )

        # A resume needs a note: refused in the pane, nothing sent.
        form = page.locator("form.resume[data-partner='JPN']")
        form.locator("button[type='submit']").click()
        assert form.locator(".error").inner_text() == (
            "Write what was done about the cause before resuming."
        )
        assert link(h.usa, "JPN").state == "stopped"

        # The partner fixes its stream; the administrator resumes; the status clears.
        h.fake.items = list(h.genuine)
        form.locator("textarea").fill("JPN re-sent the item with its genuine signature")
        form.locator("button[type='submit']").click()
        page.locator("#links-rows tr[data-partner='JPN'][data-state='running']").wait_for()
        assert page.locator("#quarantine").is_hidden()
        assert page.locator("form.resume").count() == 0
        assert page.locator("#links-note").inner_text() == "The link to JPN is running again."
        assert _link_row(page)["quarantined"] == "0"
        wait_until(
            lambda: link(h.usa, "JPN").received_seq == len(h.genuine), 20, "the rest to arrive"
        )
        page.click("#health-refresh")
        page.locator(
            "#links-rows tr[data-partner='JPN'] td", has_text=f"{len(h.genuine)} / "
        ).wait_for()
        assert _link_row(page)["lag"] == "0"
        assert h.usa.federation.partners.quarantine("JPN") == []
        resolved = h.usa.federation.partners.quarantine("JPN", open_only=False)
        assert [q.resolution for q in resolved] == [
            "JPN re-sent the item with its genuine signature"
        ]
        # The ledger pane follows the head as it grows.
        assert page.locator("#ledger-head").inner_text() == str(ledger_status(h.usa.db).head_seq)

        # In Japanese.
        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert page.locator("#health-links-h").inner_text() == "連携リンク"
        assert _link_row(page)["state"] == "稼働中"
        assert page.locator("#tabs .tab[data-pane='pane-health']").inner_text() == "健全性"
        assert page.locator("#ledger-verify").inner_text().startswith("正常：")
        assert admin.violations() == []
    finally:
        admin.context.close()
    assert admin.outside == []
    assert admin.errors == []
