"""Console sign-in over HTTP: password sessions in an HttpOnly SameSite=Strict
cookie, CSRF refusal, lockout, expiry, sign-out (here and everywhere), a
disabled user's sessions, and a credential from another node said plainly."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from alliance.access import MAX_FAILURES
from alliance.desks import SESSION_COOKIE
from alliance.node import Node
from alliance.store.schema import SessionRow, UserRow
from tests.conftest import NodeFactory, add_people

from .conftest import ServeFn, Site, assert_error

PASSWORD = "Kaigun-Sato-2026"


def _user_id(site: Site, name: str) -> str:
    with site.node.db.read() as s:
        user_id = s.scalar(select(UserRow.id).where(UserRow.name == name))
    assert user_id is not None
    return user_id


def _with_password(site: Site, name: str = "JPN admin jpn-jjoc", username: str = "sato") -> str:
    user_id = _user_id(site, name)
    site.node.signin.set_password(user_id, PASSWORD, username=username)
    return user_id


def _signin(site: Site, username: str = "sato", password: str = PASSWORD) -> httpx.Response:
    site.client.cookies.clear()
    return site.client.post("/session", json={"username": username, "password": password})


def _as_cookie(site: Site, value: str) -> None:
    site.client.cookies.clear()
    site.client.cookies.set(SESSION_COOKIE, value)


def test_signing_in_sets_an_httponly_strict_cookie_whose_hash_alone_is_stored(
    site: Site,
) -> None:
    user_id = _with_password(site)
    ok = _signin(site, "  SATO ")  # usernames ignore case and spaces around
    assert ok.status_code == 200, ok.text
    cookie = ok.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=als_")
    low = cookie.lower()
    assert "httponly" in low
    assert "samesite=strict" in low
    assert "path=/" in low
    assert "secure" not in low  # plain HTTP here; test_signin_tls covers HTTPS
    body = ok.json()
    assert body["me"]["user"] == user_id
    assert body["me"]["hq_name"]["en"]
    assert body["me"]["hq_name"]["ja"]
    assert body["me"]["nation_name"] == {"en": "Japan", "ja": "日本"}
    value = site.client.cookies[SESSION_COOKIE]
    with site.node.db.read() as s:
        stored = s.scalars(select(SessionRow.token_hash)).all()
    assert stored == [hashlib.sha256(value.encode()).hexdigest()]
    me = site.client.get("/me")  # the cookie alone authenticates a read
    assert me.status_code == 200, me.text
    assert me.json()["user"] == user_id
    session = site.client.get("/session").json()
    assert session["csrf"] == body["csrf"]


def test_a_change_with_the_cookie_needs_the_csrf_header_a_bearer_token_does_not(
    site: Site,
) -> None:
    _with_password(site)
    csrf = _signin(site).json()["csrf"]
    new_user = {"name": "Capt. Ito", "nation": "JPN", "hq_id": "jpn-jjoc", "role": "viewer"}
    refused = site.client.post("/users", json=new_user)
    body = assert_error(refused, 403, "csrf_refused")
    assert "X-CSRF-Token" in body["message"]["en"]
    assert "X-CSRF-Token" in body["message"]["ja"]
    wrong = site.client.post("/users", json=new_user, headers={"X-CSRF-Token": "0" * 64})
    assert_error(wrong, 403, "csrf_refused")
    with site.node.db.read() as s:
        assert s.scalar(select(UserRow.id).where(UserRow.name == "Capt. Ito")) is None
    made = site.client.post("/users", json=new_user, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    site.client.cookies.clear()
    by_token = site.client.post(
        "/users",
        json={**new_user, "name": "Capt. Abe"},
        headers=site.as_("JPN", "admin", "jpn-jjoc"),
    )
    assert by_token.status_code == 201, by_token.text


def test_repeated_failures_lock_the_account_and_say_until_when(site: Site) -> None:
    user_id = _with_password(site)
    for _ in range(MAX_FAILURES - 1):
        wrong = assert_error(_signin(site, password="wrong password"), 401, "bad_credentials")
        assert site.node.node_id in wrong["message"]["en"]
        assert site.node.node_id in wrong["message"]["ja"]
    locked = assert_error(_signin(site, password="wrong password"), 401, "account_locked")
    assert "locked" in locked["message"]["en"]
    assert "UTC" in locked["message"]["en"]
    assert "ロック" in locked["message"]["ja"]
    assert "UTC" in locked["message"]["ja"]
    # Even the right password is refused while locked.
    assert_error(_signin(site), 401, "account_locked")
    with site.node.db.read() as s:
        until = s.get(UserRow, user_id).locked_until  # type: ignore[union-attr]
    assert until is not None
    assert timedelta(minutes=14) < until - site.node.clock() <= timedelta(minutes=15)
    # Fifteen minutes later (the lock's end moved into the past) it opens again.
    with site.node.db.engine.begin() as conn:
        conn.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(locked_until=site.node.clock() - timedelta(seconds=1))
        )
    assert _signin(site).status_code == 200


def test_a_success_resets_the_count_of_failures(site: Site) -> None:
    _with_password(site)
    for _ in range(MAX_FAILURES - 1):
        assert_error(_signin(site, password="wrong password"), 401, "bad_credentials")
    assert _signin(site).status_code == 200
    for _ in range(MAX_FAILURES - 1):
        assert_error(_signin(site, password="wrong password"), 401, "bad_credentials")
    assert _signin(site).status_code == 200


def test_an_unknown_username_gets_the_same_answer_naming_this_node(site: Site) -> None:
    _with_password(site)
    body = assert_error(_signin(site, "smith"), 401, "bad_credentials")
    assert "Japan" in body["message"]["en"]
    assert "日本" in body["message"]["ja"]
    assert "own nation's node" in body["message"]["en"]


def test_an_expired_session_is_refused(site: Site) -> None:
    _with_password(site)
    assert _signin(site).status_code == 200
    with site.node.db.engine.begin() as conn:
        conn.execute(update(SessionRow).values(expires_at=site.node.clock()))
    assert_error(site.client.get("/me"), 401, "session_ended")


def test_sign_out_ends_the_session_and_clears_the_cookie(site: Site) -> None:
    _with_password(site)
    csrf = _signin(site).json()["csrf"]
    value = site.client.cookies[SESSION_COOKIE]
    assert_error(site.client.delete("/session"), 403, "csrf_refused")  # a change like any other
    out = site.client.delete("/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204, out.text
    assert 'alliance_session=""' in out.headers["set-cookie"]
    _as_cookie(site, value)  # the old value, kept by someone, no longer works
    assert_error(site.client.get("/me"), 401, "session_ended")


def test_sign_out_everywhere_ends_every_session_of_the_user_only(site: Site) -> None:
    _with_password(site)
    _with_password(site, "JPN staff_officer jpn-jjoc", "tanaka")
    first = _signin(site)
    first_value = site.client.cookies[SESSION_COOKIE]
    second = _signin(site)
    second_value = site.client.cookies[SESSION_COOKIE]
    assert first_value != second_value
    _signin(site, "tanaka")
    other_value = site.client.cookies[SESSION_COOKIE]
    _as_cookie(site, second_value)
    ended = site.client.post("/session/everywhere", headers={"X-CSRF-Token": second.json()["csrf"]})
    assert ended.status_code == 200, ended.text
    assert ended.json() == {"ended": 2}
    for value in (first_value, second_value):
        _as_cookie(site, value)
        assert_error(site.client.get("/me"), 401, "session_ended")
    _as_cookie(site, other_value)
    assert site.client.get("/me").status_code == 200
    assert first.status_code == 200


def test_disabling_a_user_ends_their_sessions(site: Site) -> None:
    user_id = _with_password(site, "JPN staff_officer jpn-jjoc", "tanaka")
    assert _signin(site, "tanaka").status_code == 200
    value = site.client.cookies[SESSION_COOKIE]
    site.client.cookies.clear()
    done = site.client.post(
        f"/users/{user_id}/disable", headers=site.as_("JPN", "admin", "jpn-jjoc")
    )
    assert done.status_code == 200, done.text
    _as_cookie(site, value)
    assert_error(site.client.get("/me"), 401, "session_ended")
    assert_error(_signin(site, "tanaka"), 401, "user_disabled")
    with site.node.db.read() as s:
        assert s.scalars(select(SessionRow).where(SessionRow.user_id == user_id)).all() == []


def test_the_signin_card_learns_which_node_this_is_without_signing_in(site: Site) -> None:
    site.client.cookies.clear()
    got = site.client.get("/signin/node")
    assert got.status_code == 200, got.text
    assert got.json() == {
        "node_id": site.node.node_id,
        "nation": "JPN",
        "nation_name": {"en": "Japan", "ja": "日本"},
        "hq_name": {"en": "Japan Joint Operations Command", "ja": "統合作戦司令部"},
        "hosted": ["JPN", "USA"],
        "tls": False,
        "certificate_signin": False,
    }


def test_a_token_of_another_node_says_which_node_issued_it(
    make_node: NodeFactory, serve: ServeFn
) -> None:
    jpn: Node = make_node("JPN")
    usa: Node = make_node("USA")
    assert jpn.node_id != usa.node_id
    usa_token = add_people(usa)("USA", "staff_officer", "usa-jfhq")["Authorization"]
    client = serve(jpn)
    body = assert_error(
        client.get("/me", headers={"Authorization": usa_token}), 401, "token_of_another_node"
    )
    for lang in ("en", "ja"):
        assert usa.node_id in body["message"][lang]
        assert jpn.node_id in body["message"][lang]
    # A token of the old form (no node id) is still looked up as before.
    old = "alc_" + "x" * 43
    assert_error(client.get("/me", headers={"Authorization": f"Bearer {old}"}), 401, "bad_token")


def test_sessions_past_their_end_are_dropped_when_another_opens(site: Site) -> None:
    _with_password(site)
    assert _signin(site).status_code == 200
    with site.node.db.engine.begin() as conn:
        conn.execute(update(SessionRow).values(expires_at=site.node.clock()))
    assert _signin(site).status_code == 200
    with site.node.db.read() as s:
        assert len(s.scalars(select(SessionRow)).all()) == 1
