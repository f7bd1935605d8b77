"""The console's tabs come from the desk registry: a desk that declares a
console pane (``DeskSpec.console``) gets a tab, its pane, its styles and its
strings in both languages, all served by this node under the console's
policy; a desk without one gets no tab.

The example desk (tests/example_desk) is given the pane in ``notes_pane/``,
as a contributor's desk would declare it in its own package."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser

from alliance.api import console
from alliance.api.serving import uvicorn_config
from alliance.config import load_settings
from alliance.desks import DeskSpec, all_desks
from alliance.node import Node
from alliance.org import load_document, packaged_seed, parse_document
from tests.api.served import Served
from tests.conftest import add_people
from tests.example_desk import DESK as NOTES
from tests.example_desk import migration
from tests.web.test_csp import Watched

NOTES_PANE = Path(__file__).parent / "notes_pane"
NOTES_WITH_PANE = dataclasses.replace(NOTES, console=NOTES_PANE)
ROOT = Path(__file__).parents[2]


def _tabs(page: str) -> list[str]:
    return re.findall(r'<button type="button" class="tab[^"]*" data-pane="([^"]+)"', page)


def test_only_desks_that_declare_a_pane_have_a_tab() -> None:
    desks = all_desks()
    assert [d.name for d in desks if d.console is not None] == [
        "org",
        "acm",
        "cop",
        "exercise",
        "plans",
        "cyber",
        "airspace",
        "industry",
    ]
    # The picture first (the pane the console opens on), then registry order, then the
    # node's own health pane.
    assert _tabs(console.page(desks)) == [
        "pane-cop",
        "pane-org",
        "pane-acm",
        "pane-exercise",
        "pane-plans",
        "pane-cyber",
        "pane-airspace",
        "pane-industry",
        "pane-health",
    ]
    # The example desk declares none: no tab; given a pane, a tab after the desks'.
    assert _tabs(console.page((*desks, NOTES))) == [
        "pane-cop",
        "pane-org",
        "pane-acm",
        "pane-exercise",
        "pane-plans",
        "pane-cyber",
        "pane-airspace",
        "pane-industry",
        "pane-health",
    ]
    page = console.page((*desks, NOTES_WITH_PANE))
    assert _tabs(page) == [
        "pane-cop",
        "pane-org",
        "pane-acm",
        "pane-exercise",
        "pane-plans",
        "pane-cyber",
        "pane-airspace",
        "pane-industry",
        "pane-notes",
        "pane-health",
    ]
    assert '<section class="pane active" id="pane-cop"' in page
    assert page.count('class="pane active"') == 1
    assert '<section class="pane" id="pane-notes" data-desk="notes"' in page
    assert '<link rel="stylesheet" href="/console/desks/notes/pane.css">' in page
    assert '<p id="notes-who"></p>' in page  # the pane's markup, in the page


def test_a_pane_missing_its_module_is_refused_when_the_app_is_built(tmp_path: Path) -> None:
    for name in ("pane.html", "i18n.js"):
        (tmp_path / name).write_text((NOTES_PANE / name).read_text())
    broken = dataclasses.replace(NOTES, console=tmp_path)
    with pytest.raises(ValueError, match=r"the notes desk's console pane lacks pane\.js"):
        console.install(FastAPI(), (*all_desks(), broken))


def test_every_pane_file_is_packaged() -> None:
    """What ``pip install`` ships (pyproject's package-data) holds every pane file."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["alliance"]
    package = ROOT / "src" / "alliance"
    shipped = {f.relative_to(package).as_posix() for p in patterns for f in package.glob(p)}
    with_panes = [desk for desk in all_desks() if desk.console is not None]
    assert with_panes  # the COP's, at least
    for desk in with_panes:
        assert desk.console is not None
        files = [p for p in desk.console.rglob("*") if p.is_file()]
        assert {f.relative_to(package).as_posix() for f in files} <= shipped, desk.name
        assert {f.name for f in files} >= set(console.PANE_FILES), desk.name


@pytest.fixture
def notes_node(tmp_path: Path, database_url: str) -> Iterator[tuple[Node, str]]:
    settings = load_settings(tmp_path / "jpn", nation="JPN", database_url=database_url)
    desks: tuple[DeskSpec, ...] = (*all_desks(), NOTES_WITH_PANE)
    Node.init(settings, desks=desks).db.dispose()
    node = Node(settings, desks=desks)
    migration.upgrade(node.db)
    node.start()
    try:
        doc, digest = parse_document(packaged_seed())
        load_document(node.ctx, doc, digest)
        with Served(uvicorn_config(node)) as url:
            yield node, url
    finally:
        node.close()


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_a_desks_pane_gets_a_tab_its_strings_and_the_console_policy(
    browser: Browser, notes_node: tuple[Node, str]
) -> None:
    node, url = notes_node
    token = add_people(node).tokens["JPN staff_officer jpn-jjoc"]
    with httpx.Client(base_url=url) as client:
        for path in (
            "/console/desks/notes/pane.js",
            "/console/desks/notes/i18n.js",
            "/console/node/health/pane.js",
        ):
            got = client.get(path)
            assert got.status_code == 200, path
            assert got.headers["content-security-policy"] == console.CSP, path
        # The page's parts are put in the page, never served on their own.
        for path in (
            "/console/desks/notes/pane.html",
            "/console/desks/cop/head.html",
            "/console/node/health/pane.html",
        ):
            assert client.get(path).status_code == 404, path

    watched = Watched(browser, https=False)
    page = watched.page
    try:
        page.goto(url + "/console/")
        page.fill("#token", token)
        page.click("#signin-button")
        page.locator("#console").wait_for(state="visible")
        page.locator("#live[data-state='live']").wait_for()
        tabs = [
            "COP",
            "Organisation",
            "Coordination",
            "Exercises",
            "Plans",
            "Cyber",
            "Airspace",
            "Industry",
            "Notes",
            "Health",
        ]
        assert page.locator("#tabs .tab").all_inner_texts() == tabs
        assert page.locator("#map").is_visible()
        assert page.locator("#pane-notes").is_hidden()

        page.click("#tabs .tab[data-pane='pane-notes']")
        page.locator("#pane-notes").wait_for(state="visible")
        assert page.locator("#pane-cop").is_hidden()
        assert (
            page.locator("#notes-who").inner_text() == "Notes kept for JPN staff_officer jpn-jjoc"
        )
        assert page.locator("#pane-notes h2").inner_text() == "Staff notes"

        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert page.locator("#tabs .tab").all_inner_texts() == [
            "状況図",
            "組織",
            "同盟調整",
            "演習",
            "計画",
            "サイバー",
            "空域",
            "防衛産業",
            "メモ",
            "健全性",
        ]
        assert page.locator("#notes-who").inner_text() == "JPN staff_officer jpn-jjocのメモ"
        assert page.locator("#pane-notes h2").inner_text() == "幕僚メモ"

        page.click("#tabs .tab[data-pane='pane-cop']")
        page.locator("#map").wait_for(state="visible")
        assert page.locator("#pane-notes").is_hidden()
        assert watched.violations() == []
    finally:
        watched.context.close()
    assert watched.outside == [], "the console tried to reach beyond this node"
    assert watched.errors == []


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_a_pane_that_fails_to_load_loses_its_tab_and_the_console_goes_on(
    browser: Browser, notes_node: tuple[Node, str]
) -> None:
    node, url = notes_node
    token = add_people(node).tokens["JPN staff_officer jpn-jjoc"]
    watched = Watched(browser, https=False)
    page = watched.page
    # The notes pane's module is broken (here: the browser cannot get it).
    page.route("**/console/desks/notes/pane.js", lambda route: route.fulfill(status=500))
    try:
        page.goto(url + "/console/")
        page.fill("#token", token)
        page.click("#signin-button")
        page.locator("#live[data-state='live']").wait_for()
        tabs = [
            "COP",
            "Organisation",
            "Coordination",
            "Exercises",
            "Plans",
            "Cyber",
            "Airspace",
            "Industry",
            "Health",
        ]
        assert page.locator("#tabs .tab").all_inner_texts() == tabs
        assert page.locator("#pane-notes").count() == 0
        assert page.locator("#map").is_visible()
    finally:
        watched.context.close()
    assert any("The notes desk's pane did not load" in e for e in watched.errors), watched.errors
