"""The console and /docs under their Content-Security-Policy, in a real browser
(Debian's Chromium through Playwright), over plain HTTP and over HTTPS with the
node's certificate: everything they need loads and works, and the browser
reports no policy violation, no error and no request beyond this node.

A policy that is too strict (Swagger UI's styles or its ``fetch`` of the
OpenAPI document refused, the basemap's JSON blocked) shows up here as a
``securitypolicyviolation`` event or a console error."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route

from alliance.api.serving import uvicorn_config
from alliance.node import Node
from alliance.pki import Pki
from tests.api.served import Served
from tests.conftest import NodeFactory, add_people

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

WAIT_MS = 15_000
# Waits are written as functions: Playwright polls a bare expression with eval(),
# which the pages' policy rightly refuses.
# Installed before any script of the page runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


class Watched:
    """A browser page that records policy violations, errors and outside requests."""

    def __init__(self, browser: Browser, *, https: bool) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(ignore_https_errors=https, locale="en-US")
        self.context.route("**/*", self._only_this_node)
        self.context.add_init_script(RECORD_VIOLATIONS)
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

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__violations"))


@pytest.fixture(params=["http", "https"])
def node_url(request: pytest.FixtureRequest, make_node: NodeFactory) -> Iterator[tuple[Node, str]]:
    node = make_node("JPN", hosted=["USA"])
    if request.param == "https":
        Pki.init(node.settings.home, node.nation, node.node_id, ["127.0.0.1", "localhost"])
        node.settings.api_tls = True
    with Served(uvicorn_config(node)) as url:
        assert url.startswith(request.param + "://")
        yield node, url


def test_console_and_docs_load_without_csp_violations(
    browser: Browser, node_url: tuple[Node, str]
) -> None:
    node, url = node_url
    token = add_people(node).tokens["USA staff_officer usa-jfhq"]
    watched = Watched(browser, https=url.startswith("https"))
    page = watched.page
    try:
        # The console: sign in, the live picture and the offline basemap.
        page.goto(url + "/console/")
        page.locator("#signin").wait_for(state="visible")
        page.fill("#token", token)
        page.click("#signin-button")
        page.locator("#console").wait_for(state="visible")
        page.locator("#live[data-state='live']").wait_for()
        page.wait_for_function("() => document.body.dataset.basemap === 'ready'")
        assert watched.violations() == []

        # /docs: Swagger UI renders every operation from /openapi.json, and
        # "Try it out" calls the API from the page.
        response = page.goto(url + "/docs")
        assert response is not None
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        page.wait_for_function("() => document.querySelectorAll('.opblock').length > 40")
        page.locator(".opblock-summary-path[data-path='/api/v1/healthz']").click()
        page.locator(".try-out__btn").click()
        page.locator(".btn.execute").click()
        page.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
        assert watched.violations() == []
    finally:
        watched.context.close()
    assert watched.outside == [], "a page tried to reach beyond this node"
    assert watched.errors == []
