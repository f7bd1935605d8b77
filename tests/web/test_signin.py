"""Signing in to the console in a real browser (Debian's Chromium through
Playwright) against a real node served over HTTPS: the card says which node
this is; a password signs in and survives a reload (HttpOnly cookie); repeated
failures lock the account; the node's client certificate signs in; sign-out
(here and everywhere) ends the session; a token of another node says so. And
at 1024×768 and on an upright tablet every header control is on screen and
reached by the keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from alliance.access import MAX_FAILURES
from alliance.api.serving import uvicorn_config
from alliance.config import load_settings
from alliance.core.errors import Unauthenticated
from alliance.node import Node
from alliance.org import load_document, packaged_seed, parse_document
from alliance.pki import Pki, write_client_files
from tests.api.served import Served
from tests.conftest import NodeFactory, add_people

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

WAIT_MS = 20_000
PASSWORD = "Kaigun-Sato-2026"


@dataclass
class TlsSite:
    node: Node
    url: str
    tokens: dict[str, str]
    cert: Path
    key: Path
    staff_name: str


def _user_id(node: Node, token: str) -> str:
    return node.users.authenticate(token).user_id


@pytest.fixture
def site(make_node: NodeFactory, tmp_path: Path) -> Iterator[TlsSite]:
    node = make_node("JPN", hosted=["USA"])
    Pki.init(node.settings.home, node.nation, node.node_id, ["127.0.0.1", "localhost"])
    node.settings.api_tls = True
    tokens = add_people(node).tokens
    staff = node.users.authenticate(tokens["JPN staff_officer jpn-jjoc"])
    node.signin.set_password(staff.user_id, PASSWORD, username="sato")
    viewer = _user_id(node, tokens["JPN viewer jpn-jjoc"])
    node.signin.set_password(viewer, PASSWORD, username="ito")
    admin = _user_id(node, tokens["JPN admin jpn-jjoc"])
    node.signin.set_password(admin, PASSWORD, username="kato")
    files = write_client_files(
        Pki.load(node.settings.home), staff.user_id, staff.name, tmp_path / "cert", "p12-pass"
    )
    with Served(uvicorn_config(node)) as url:
        yield TlsSite(node, url, tokens, files[2], files[1], staff.name)


def _context(browser: Browser, site: TlsSite | None = None, **options: Any) -> BrowserContext:
    if site is not None:
        options["client_certificates"] = [
            {"origin": site.url, "certPath": str(site.cert), "keyPath": str(site.key)}
        ]
    context = browser.new_context(ignore_https_errors=True, locale="en-US", **options)
    context.set_default_timeout(WAIT_MS)
    return context


def _error(page: Page, text: str) -> str:
    page.locator("#signin-error", has_text=text).wait_for()
    return page.inner_text("#signin-error")


def _password_signin(page: Page, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#password-signin-button")


def test_password_signin_header_reload_lockout_and_signout(browser: Browser, site: TlsSite) -> None:
    context = _context(browser)
    page = context.new_page()
    try:
        page.goto(site.url + "/console/")
        page.locator("#signin").wait_for(state="visible")
        # Which node this is, before anyone signs in: nation in both languages, HQ, node id.
        page.locator("#signin-nation", has_text="Japan / 日本").wait_for()
        assert page.inner_text("#signin-hq") == "Japan Joint Operations Command"
        assert site.node.node_id in page.inner_text("#signin-node")
        assert page.is_visible("#cert-signin-button")  # HTTPS with a user CA
        assert page.is_visible("#token")  # the API token stays for programs
        assert page.is_visible("#signin-button")

        # A wrong password is refused in the node's words, naming the node.
        _password_signin(page, "sato", "not the password")
        assert site.node.node_id in _error(page, "Wrong username or password")

        _password_signin(page, "sato", PASSWORD)
        page.locator("#console").wait_for(state="visible")
        # The header: nation, HQ by name (not its id), role.
        assert page.inner_text("#who-nation") == "Japan"
        assert page.inner_text("#who-hq") == "JJOC"
        line = page.inner_text("#user-line")
        assert "Japan Joint Operations Command" in line
        assert "staff officer" in line
        # The session cookie is HttpOnly: the page's scripts cannot read it.
        assert "alliance_session" not in page.evaluate("document.cookie")
        cookie = next(c for c in context.cookies() if c["name"] == "alliance_session")
        assert cookie["httpOnly"] is True
        assert cookie["secure"] is True
        assert cookie["sameSite"] == "Strict"
        assert page.evaluate("sessionStorage.getItem('alliance.token')") is None

        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert page.inner_text("#who-nation") == "日本"
        assert "幕僚" in page.inner_text("#user-line")
        assert "統合作戦司令部" in page.inner_text("#user-line")

        # A reload keeps the session (the cookie), and the language.
        page.reload()
        page.locator("#console").wait_for(state="visible")
        assert page.inner_text("#who-nation") == "日本"

        # Sign out: back to the card, and a reload does not sign in again.
        page.click("#signout")
        page.locator("#signin").wait_for(state="visible")
        page.reload()
        page.locator("#signin").wait_for(state="visible")
        assert not page.is_visible("#console")
        page.click("#signin button.lang[data-lang='en']")

        # Repeated failures lock the account, and the card says until when.
        for _ in range(MAX_FAILURES - 1):
            _password_signin(page, "ito", "wrong password")
            _error(page, "Wrong username or password")
            page.fill("#password", "")
            page.evaluate("document.getElementById('signin-error').hidden = true")
        _password_signin(page, "ito", "wrong password")
        locked = _error(page, "locked")
        assert "until" in locked
        assert "UTC" in locked
        # Even the right password is refused while locked.
        page.evaluate("document.getElementById('signin-error').hidden = true")
        _password_signin(page, "ito", PASSWORD)
        _error(page, "locked")
        assert not page.is_visible("#console")
    finally:
        context.close()


def test_client_certificate_signin_and_sign_out_everywhere(browser: Browser, site: TlsSite) -> None:
    # One browser signed in by password, another by the certificate the node issued.
    first = _context(browser)
    holder = _context(browser, site)
    try:
        page = first.new_page()
        page.goto(site.url + "/console/")
        _password_signin(page, "sato", PASSWORD)
        page.locator("#console").wait_for(state="visible")

        cert_page = holder.new_page()
        cert_page.goto(site.url + "/console/")
        cert_page.locator("#cert-signin-button").wait_for(state="visible")
        cert_page.click("#cert-signin-button")
        cert_page.locator("#console").wait_for(state="visible")
        assert site.staff_name in cert_page.inner_text("#user-line")
        assert cert_page.inner_text("#who-nation") == "Japan"

        # Sign out everywhere: this browser and the other one are both signed out.
        cert_page.click("#signout-everywhere")
        cert_page.locator("#signin").wait_for(state="visible")
        _error(cert_page, "Signed out everywhere")
        page.reload()
        page.locator("#signin").wait_for(state="visible")
        assert not page.is_visible("#console")
    finally:
        first.close()
        holder.close()


def test_a_token_of_another_node_is_named_as_such(
    browser: Browser, site: TlsSite, tmp_path: Path
) -> None:
    # A USA node of its own (database and folder), as a partner would run it.
    usa_home = tmp_path / "usa"
    usa_db = f"sqlite:///{tmp_path / 'usa.db'}"
    with Node.init(load_settings(usa_home, nation="USA", database_url=usa_db)).start() as usa:
        doc, digest = parse_document(packaged_seed())
        load_document(usa.ctx, doc, digest)
        usa_token = add_people(usa).tokens["USA staff_officer usa-jfhq"]
        usa_id = usa.node_id
    context = _context(browser)
    page = context.new_page()
    try:
        page.goto(site.url + "/console/")
        page.fill("#token", usa_token)
        page.click("#signin-button")
        text = _error(page, "was issued by node")
        assert usa_id in text
        assert site.node.node_id in text
        # The token form still signs in with this node's own token.
        page.fill("#token", site.tokens["JPN staff_officer jpn-jjoc"])
        page.click("#signin-button")
        page.locator("#console").wait_for(state="visible")
    finally:
        context.close()


# -- passwords: one's own in the header, a user's in the Health pane ------------

NEW_PASSWORD = "Kaigun-Sato-2027-spring"


def test_a_user_changes_their_password_in_the_console_and_signs_in_with_it(
    browser: Browser, site: TlsSite
) -> None:
    context = _context(browser)
    other = _context(browser)  # the same user in another browser
    page = context.new_page()
    try:
        elsewhere = other.new_page()
        elsewhere.goto(site.url + "/console/")
        _password_signin(elsewhere, "sato", PASSWORD)
        elsewhere.locator("#console").wait_for(state="visible")

        page.goto(site.url + "/console/")
        _password_signin(page, "sato", PASSWORD)
        page.locator("#console").wait_for(state="visible")
        dialog = page.locator("#password-dialog")

        # A modal dialog, its fields labelled; Escape closes it and the focus comes back.
        page.click("#change-password")
        dialog.wait_for(state="visible")
        assert page.evaluate("document.activeElement.id") == "current-password"
        for field, label in (
            ("current-password", "Current password"),
            ("new-password", "New password"),
            ("repeat-password", "New password again"),
        ):
            found = dialog.get_by_label(label, exact=True)
            assert found.get_attribute("id") == field
        assert "10 to 200 characters" in page.inner_text("#password-change-note")
        page.fill("#current-password", PASSWORD)
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")
        assert page.evaluate("document.activeElement.id") == "change-password"

        # The node's words for what was wrong, in the user's language.
        page.keyboard.press("Enter")
        dialog.wait_for(state="visible")
        assert page.input_value("#current-password") == ""  # nothing typed was kept
        page.fill("#current-password", "not my password")
        page.fill("#new-password", NEW_PASSWORD)
        page.fill("#repeat-password", NEW_PASSWORD)
        page.click("#password-change-submit")
        page.locator("#password-change-error", has_text="current password is not right").wait_for()
        assert page.evaluate("document.activeElement.id") == "current-password"
        page.fill("#repeat-password", NEW_PASSWORD + "x")
        page.click("#password-change-submit")
        page.locator("#password-change-error", has_text="differ").wait_for()
        page.click("#password-change-cancel")
        page.click("#console button.lang[data-lang='ja']")
        page.click("#change-password")
        assert page.inner_text("#password-dialog-title") == "パスワードの変更"
        page.fill("#current-password", PASSWORD)
        page.fill("#new-password", "short")
        page.fill("#repeat-password", "short")
        page.click("#password-change-submit")
        short = page.locator("#password-change-error", has_text="10〜200文字")
        short.wait_for()
        assert "5文字" in short.inner_text()
        assert page.evaluate("document.activeElement.id") == "new-password"

        page.fill("#new-password", NEW_PASSWORD)
        page.fill("#repeat-password", NEW_PASSWORD)
        page.click("#password-change-submit")
        dialog.wait_for(state="hidden")
        page.locator("#toasts .toast", has_text="パスワードを変更しました").wait_for()
        assert "1" in page.inner_text("#toasts .toast")  # the other browser's session
        page.click("#console button.lang[data-lang='en']")
        # This browser stays signed in; the other one's session has ended.
        page.reload()
        page.locator("#console").wait_for(state="visible")
        elsewhere.reload()
        elsewhere.locator("#signin").wait_for(state="visible")

        # Signed out, the old password no longer signs in; the new one does.
        page.click("#signout")
        page.locator("#signin").wait_for(state="visible")
        _password_signin(page, "sato", PASSWORD)
        _error(page, "Wrong username or password")
        _password_signin(page, "sato", NEW_PASSWORD)
        page.locator("#console").wait_for(state="visible")
    finally:
        context.close()
        other.close()


def test_an_administrator_sets_a_users_password_in_the_health_pane(
    browser: Browser, site: TlsSite
) -> None:
    user_id = _user_id(site.node, site.tokens["JPN viewer jpn-jjoc"])
    for _ in range(MAX_FAILURES):  # ito is locked out
        with pytest.raises(Unauthenticated):
            site.node.signin.with_password("ito", "wrong password")
    context = _context(browser)
    page = context.new_page()
    try:
        page.goto(site.url + "/console/")
        _password_signin(page, "kato", PASSWORD)
        page.locator("#console").wait_for(state="visible")
        page.click("#tabs .tab[data-pane='pane-health']")
        row = page.locator(f"#users-rows tr[data-user='{user_id}']")
        row.wait_for()
        assert "ito" in row.inner_text()
        assert "locked until" in row.inner_text()
        # No button on one's own row: that is the header's "Change password".
        kato = _user_id(site.node, site.tokens["JPN admin jpn-jjoc"])
        assert page.locator(f"#users-rows tr[data-user='{kato}'] button").count() == 0

        button = row.get_by_role("button", name="Set password: JPN viewer jpn-jjoc")
        button.click()
        dialog = page.locator("#user-password-dialog")
        dialog.wait_for(state="visible")
        assert page.evaluate("document.activeElement.id") == "user-password-new"
        assert page.input_value("#user-password-username") == "ito"
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")
        assert page.evaluate("document.activeElement.textContent") == "Set password"

        button.click()
        page.fill("#user-password-new", "short")
        page.fill("#user-password-repeat", "short")
        page.click("#user-password-submit")
        page.locator("#user-password-error", has_text="10 to 200 characters").wait_for()
        page.fill("#user-password-username", "ito.k")
        page.fill("#user-password-new", NEW_PASSWORD)
        page.fill("#user-password-repeat", NEW_PASSWORD)
        page.click("#user-password-submit")
        dialog.wait_for(state="hidden")
        page.locator("#toasts .toast", has_text="signs in as 'ito.k'").wait_for()
        page.wait_for_function(
            "id => !document.querySelector(`#users-rows tr[data-user='${id}']`)"
            ".textContent.includes('locked')",
            arg=user_id,
        )

        # The user signs in with it: unlocked, under the new username.
        page.click("#signout")
        page.locator("#signin").wait_for(state="visible")
        _password_signin(page, "ito.k", NEW_PASSWORD)
        page.locator("#console").wait_for(state="visible")
        assert "viewer" in page.inner_text("#user-line")
    finally:
        context.close()


# -- the header at 1024×768 and on an upright tablet ---------------------------

# Every control of the header (whatever panes the desks add), not hidden.
CONTROLS = """() => [...document.querySelectorAll(
  '#console header button, #console header input, #console header select, '
  + '#console header a[href], #console header [tabindex]:not([tabindex="-1"])'
)].filter(el => el.offsetParent !== null && !el.disabled).map(el => {
  if (!el.dataset.walkId) el.dataset.walkId = Math.random().toString(36).slice(2);
  const r = el.getBoundingClientRect();
  return {id: el.dataset.walkId, text: (el.textContent || el.id).trim(),
          left: r.left, top: r.top, right: r.right, bottom: r.bottom};
})"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || !el.dataset.walkId) return null;
  const style = getComputedStyle(el);
  return {id: el.dataset.walkId, outline: style.outlineStyle, width: style.outlineWidth};
}"""


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (768, 1024)])
def test_every_header_control_is_on_screen_and_reached_by_tab(
    browser: Browser, site: TlsSite, width: int, height: int
) -> None:
    context = _context(browser, viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(site.url + "/console/")
        _password_signin(page, "sato", PASSWORD)
        page.locator("#console").wait_for(state="visible")
        for lang in ("en", "ja"):  # Japanese labels are wider or narrower: both must fit
            page.click(f"#console button.lang[data-lang='{lang}']")
            page.wait_for_function(f"() => document.documentElement.lang === '{lang}'")
            controls = page.evaluate(CONTROLS)
            texts = {c["text"] for c in controls}
            assert {"日本語", "English"} <= texts, texts
            assert page.is_visible("#signout")
            assert page.is_visible("#signout-everywhere")
            assert page.locator("#tabs .tab").count() >= 1
            for c in controls:
                inside = (
                    c["left"] >= 0
                    and c["top"] >= 0
                    and c["right"] <= width
                    and c["bottom"] <= height
                )
                assert inside, f"{c['text']!r} is cut off at {width}×{height}: {c}"
            clock = page.locator("#clock").bounding_box()
            assert clock is not None
            assert clock["x"] >= 0
            assert clock["x"] + clock["width"] <= width
            assert page.is_visible("#clock-z")

            # Tab from the top of the page reaches each one, with a visible outline.
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.evaluate("window.scrollTo(0, 0); document.body.focus()")
            wanted = {c["id"]: c["text"] for c in controls}
            reached: set[str] = set()
            for _ in range(len(wanted) + 40):
                page.keyboard.press("Tab")
                focused = page.evaluate(FOCUSED)
                if focused is None:
                    continue
                assert focused["outline"] != "none", f"no focus outline on {wanted[focused['id']]}"
                reached.add(focused["id"])
                if reached >= set(wanted):
                    break
            missing = [text for ident, text in wanted.items() if ident not in reached]
            assert not missing, f"not reached by Tab at {width}×{height}: {missing}"
    finally:
        context.close()


# Every control of the pane shown, not hidden: where it is once scrolled to, and
# whether the keyboard can reach it (in the tab order, takes the focus).
PANE_CONTROLS = """() => [...document.querySelectorAll(
  '#console .pane.active button, #console .pane.active input, #console .pane.active select, '
  + '#console .pane.active textarea, #console .pane.active a[href], '
  + '#console .pane.active [tabindex]:not([tabindex="-1"])'
)].filter(el => el.offsetParent !== null && !el.disabled
              && getComputedStyle(el).visibility !== 'hidden').map(el => {
  el.scrollIntoView({block: 'center', inline: 'center'});
  const r = el.getBoundingClientRect();
  el.focus();
  return {text: (el.textContent || el.getAttribute('aria-label') || el.id || el.name
                 || el.className).trim().slice(0, 40),
          left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          tabbable: el.tabIndex >= 0, focused: document.activeElement === el};
})"""


@pytest.mark.parametrize("username", ["sato", "kato"])  # a staff officer, an administrator
def test_every_pane_control_is_reachable_at_1024_by_768(
    browser: Browser, site: TlsSite, username: str
) -> None:
    width, height = 1024, 768
    context = _context(browser, viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(site.url + "/console/")
        _password_signin(page, username, PASSWORD)
        page.locator("#console").wait_for(state="visible")
        tabs = page.locator("#tabs .tab")
        names = tabs.all_inner_texts()
        assert len(names) >= 4, names  # COP, organisation, coordination, health at least
        for index, name in enumerate(names):
            tabs.nth(index).click()
            page.wait_for_function(
                "i => document.querySelectorAll('#tabs .tab')[i].classList.contains('active')",
                arg=index,
            )
            page.wait_for_timeout(300)  # the pane's first data
            controls = page.evaluate(PANE_CONTROLS)
            assert controls, f"no control in the {name} pane"
            for c in controls:
                on_screen = c["left"] >= 0 and c["right"] <= width + 1 and c["bottom"] > 0
                assert on_screen, f"{name}: {c['text']!r} cannot be brought on screen: {c}"
                assert c["tabbable"], f"{name}: {c['text']!r} is not in the tab order"
                assert c["focused"], f"{name}: {c['text']!r} does not take the focus"
            # Nothing wider than the window: no control lies beyond a sideways scroll.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    finally:
        context.close()
