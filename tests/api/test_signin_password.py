"""Passwords over HTTP: a signed-in user changes their own (the current one
verified and counted toward the lock like a sign-in; their other sessions end,
the one making the change stays), and a node administrator sets a user's
password and username, which unlocks the account and ends its sessions.
Both keep the node's length rules, say what was wrong in both languages, and
are recorded in the ledger without the password."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from alliance.access import MAX_FAILURES
from alliance.access.signin import MAX_PASSWORD, MIN_PASSWORD
from alliance.desks import SESSION_COOKIE
from alliance.store.schema import LedgerRow, SessionRow, UserRow

from .conftest import Site, assert_error

PASSWORD = "Kaigun-Sato-2026"
NEW = "Kaigun-Sato-2027-spring"


def _user_id(site: Site, name: str) -> str:
    with site.node.db.read() as s:
        user_id = s.scalar(select(UserRow.id).where(UserRow.name == name))
    assert user_id is not None
    return user_id


def _with_password(site: Site, name: str, username: str) -> str:
    user_id = _user_id(site, name)
    site.node.signin.set_password(user_id, PASSWORD, username=username)
    return user_id


def _signin(site: Site, username: str, password: str) -> httpx.Response:
    site.client.cookies.clear()
    return site.client.post("/session", json={"username": username, "password": password})


def _as_cookie(site: Site, value: str) -> None:
    site.client.cookies.clear()
    site.client.cookies.set(SESSION_COOKIE, value)


def _change(site: Site, csrf: str, current: str, new: str) -> httpx.Response:
    return site.client.post(
        "/session/password",
        json={"current_password": current, "new_password": new},
        headers={"X-CSRF-Token": csrf},
    )


def _row(site: Site, user_id: str) -> UserRow:
    with site.node.db.read() as s:
        row = s.get(UserRow, user_id)
    assert row is not None
    return row


def _ledger_bodies(site: Site) -> list[bytes]:
    with site.node.db.read() as s:
        return [bytes(b) for b in s.scalars(select(LedgerRow.body))]


def _kinds(site: Site) -> list[str]:
    with site.node.db.read() as s:
        return list(s.scalars(select(LedgerRow.kind).order_by(LedgerRow.seq)))


def test_a_user_changes_their_password_and_signs_in_with_the_new_one_only(site: Site) -> None:
    user_id = _with_password(site, "JPN staff_officer jpn-jjoc", "sato")
    _with_password(site, "JPN viewer jpn-jjoc", "ito")
    elsewhere = _signin(site, "sato", PASSWORD)  # another browser of the same user
    assert elsewhere.status_code == 200, elsewhere.text
    elsewhere_value = site.client.cookies[SESSION_COOKIE]
    _signin(site, "ito", PASSWORD)
    someone_else = site.client.cookies[SESSION_COOKIE]
    here = _signin(site, "sato", PASSWORD)
    here_value = site.client.cookies[SESSION_COOKIE]
    csrf = here.json()["csrf"]

    # A change made with the cookie needs the CSRF header like any other.
    refused = site.client.post(
        "/session/password", json={"current_password": PASSWORD, "new_password": NEW}
    )
    assert_error(refused, 403, "csrf_refused")

    changed = _change(site, csrf, PASSWORD, NEW)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"ended": 1}
    # The session that made the change stays; the user's other one has ended;
    # another user's is untouched.
    assert site.client.get("/me").json()["user"] == user_id
    _as_cookie(site, elsewhere_value)
    assert_error(site.client.get("/me"), 401, "session_ended")
    _as_cookie(site, someone_else)
    assert site.client.get("/me").status_code == 200
    with site.node.db.read() as s:
        left = s.scalars(select(SessionRow.user_id)).all()
    assert sorted(left) == sorted([user_id, _user_id(site, "JPN viewer jpn-jjoc")])
    _as_cookie(site, here_value)
    assert site.client.get("/me").status_code == 200

    # The new password signs in, the old one no longer does.
    assert_error(_signin(site, "sato", PASSWORD), 401, "bad_credentials")
    assert _signin(site, "sato", NEW).status_code == 200

    # Recorded, by the user, without either password.
    assert _kinds(site)[-1] == "user.password_changed"
    for body in _ledger_bodies(site):
        assert PASSWORD.encode() not in body
        assert NEW.encode() not in body
    assert NEW not in _row(site, user_id).password_hash  # type: ignore[operator]


def test_a_program_with_its_token_changes_the_password_and_every_session_ends(
    site: Site,
) -> None:
    _with_password(site, "JPN staff_officer jpn-jjoc", "sato")
    _signin(site, "sato", PASSWORD)
    site.client.cookies.clear()
    changed = site.client.post(
        "/session/password",
        json={"current_password": PASSWORD, "new_password": NEW},
        headers=site.as_("JPN", "staff_officer", "jpn-jjoc"),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"ended": 1}
    assert _signin(site, "sato", NEW).status_code == 200


def test_a_wrong_current_password_is_refused_counted_and_locks_at_the_limit(
    site: Site,
) -> None:
    user_id = _with_password(site, "JPN staff_officer jpn-jjoc", "sato")
    csrf = _signin(site, "sato", PASSWORD).json()["csrf"]
    for _ in range(MAX_FAILURES - 1):
        wrong = assert_error(
            _change(site, csrf, "not my password", NEW), 403, "wrong_password", "current_password"
        )
        assert "current password" in wrong["message"]["en"]
        assert "現在のパスワード" in wrong["message"]["ja"]
    assert _row(site, user_id).failed_signins == MAX_FAILURES - 1
    locked = assert_error(_change(site, csrf, "not my password", NEW), 403, "account_locked")
    assert "locked" in locked["message"]["en"]
    assert "ロック" in locked["message"]["ja"]
    # Locked: even the right current password is refused, and sign-in too.
    assert_error(_change(site, csrf, PASSWORD, NEW), 403, "account_locked")
    assert_error(_signin(site, "sato", PASSWORD), 401, "account_locked")
    with site.node.db.engine.begin() as conn:  # fifteen minutes later
        conn.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(locked_until=site.node.clock() - timedelta(seconds=1))
        )
    assert _signin(site, "sato", PASSWORD).status_code == 200  # nothing was changed


def test_failures_at_sign_in_and_at_a_change_count_together(site: Site) -> None:
    _with_password(site, "JPN staff_officer jpn-jjoc", "sato")
    csrf = _signin(site, "sato", PASSWORD).json()["csrf"]
    value = site.client.cookies[SESSION_COOKIE]
    for _ in range(MAX_FAILURES - 1):
        assert_error(_signin(site, "sato", "wrong password"), 401, "bad_credentials")
    _as_cookie(site, value)
    assert_error(_change(site, csrf, "wrong password", NEW), 403, "account_locked")


def test_a_new_password_outside_the_rules_is_refused_naming_the_limit(site: Site) -> None:
    user_id = _with_password(site, "JPN staff_officer jpn-jjoc", "sato")
    csrf = _signin(site, "sato", PASSWORD).json()["csrf"]
    before = (_row(site, user_id).password_hash, site.ledger_events())
    for bad in ("short", "x" * (MAX_PASSWORD + 1)):
        body = assert_error(_change(site, csrf, PASSWORD, bad), 422, "bad_password", "new_password")
        for lang in ("en", "ja"):
            assert str(MIN_PASSWORD) in body["message"][lang]
            assert str(MAX_PASSWORD) in body["message"][lang]
            assert str(len(bad)) in body["message"][lang]
    assert_error(_change(site, csrf, PASSWORD, PASSWORD), 422, "same_password", "new_password")
    assert (_row(site, user_id).password_hash, site.ledger_events()) == before
    assert _row(site, user_id).failed_signins == 0
    assert _signin(site, "sato", PASSWORD).status_code == 200


def test_a_user_without_a_password_is_told_to_ask_the_administrator(site: Site) -> None:
    body = assert_error(
        site.client.post(
            "/session/password",
            json={"current_password": "anything at all", "new_password": NEW},
            headers=site.as_("JPN", "viewer", "jpn-jjoc"),
        ),
        409,
        "no_password",
    )
    assert "administrator" in body["message"]["en"]
    assert "管理者" in body["message"]["ja"]


def test_an_administrator_sets_a_password_which_unlocks_and_ends_sessions(site: Site) -> None:
    user_id = _with_password(site, "JPN staff_officer jpn-jjoc", "sato")
    assert _signin(site, "sato", PASSWORD).status_code == 200
    value = site.client.cookies[SESSION_COOKIE]
    for _ in range(MAX_FAILURES):
        _signin(site, "sato", "wrong password")
    assert_error(_signin(site, "sato", PASSWORD), 401, "account_locked")
    site.client.cookies.clear()
    admin = site.as_("JPN", "admin", "jpn-jjoc")
    # The administrator's list says who has a password and who is locked (never a hash).
    listed = site.client.get("/users", headers=admin)
    assert "argon2" not in listed.text
    shown = next(u for u in listed.json() if u["id"] == user_id)
    assert (shown["username"], shown["password_set"]) == ("sato", True)
    assert shown["locked_until"]["z"]
    viewer = next(u for u in listed.json() if u["name"] == "JPN viewer jpn-jjoc")
    assert (viewer["username"], viewer["password_set"], viewer["locked_until"]) == (
        None,
        False,
        None,
    )
    done = site.client.put(
        f"/users/{user_id}/password", json={"password": NEW, "username": " Sato.K "}, headers=admin
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"user_id": user_id, "username": "sato.k"}
    row = _row(site, user_id)
    assert (row.failed_signins, row.locked_until) == (0, None)
    _as_cookie(site, value)
    assert_error(site.client.get("/me"), 401, "session_ended")
    assert_error(_signin(site, "sato", PASSWORD), 401, "bad_credentials")  # the old username
    assert _signin(site, "sato.k", NEW).status_code == 200
    # Without a username, the one set before is kept.
    site.client.cookies.clear()
    again = site.client.put(
        f"/users/{user_id}/password", json={"password": PASSWORD}, headers=admin
    )
    assert again.json()["username"] == "sato.k"
    assert _signin(site, "sato.k", PASSWORD).status_code == 200
    # Recorded as the CLI records it, naming the administrator, never the password.
    with site.node.db.read() as s:
        last = s.scalars(select(LedgerRow).order_by(LedgerRow.seq.desc()).limit(1)).one()
    assert last.kind == "user.password_set"
    admin_id = _user_id(site, "JPN admin jpn-jjoc")
    assert admin_id.encode() in bytes(last.body)
    for body in _ledger_bodies(site):
        assert PASSWORD.encode() not in body
        assert NEW.encode() not in body


def test_only_an_administrator_of_the_users_nation_sets_a_password(site: Site) -> None:
    user_id = _with_password(site, "JPN staff_officer jpn-jjoc", "sato")
    _with_password(site, "JPN viewer jpn-jjoc", "ito")
    before = (_row(site, user_id).password_hash, site.ledger_events())
    site.client.cookies.clear()
    for role in ("commander", "staff_officer", "liaison_officer", "viewer"):
        assert_error(
            site.client.put(
                f"/users/{user_id}/password",
                json={"password": NEW},
                headers=site.as_("JPN", role, "jpn-jjoc"),
            ),
            403,
            "role_not_authorized",
        )
    # To the other nation's administrator the user does not exist.
    assert_error(
        site.client.put(
            f"/users/{user_id}/password",
            json={"password": NEW},
            headers=site.as_("USA", "admin", "usa-jfhq"),
        ),
        404,
        "not_found",
    )
    admin = site.as_("JPN", "admin", "jpn-jjoc")
    for bad in ("short", "x" * (MAX_PASSWORD + 1)):
        body = assert_error(
            site.client.put(f"/users/{user_id}/password", json={"password": bad}, headers=admin),
            422,
            "bad_password",
            "password",
        )
        assert str(MIN_PASSWORD) in body["message"]["ja"]
    assert_error(
        site.client.put(
            f"/users/{user_id}/password",
            json={"password": NEW, "username": "a b"},
            headers=admin,
        ),
        422,
        "bad_username",
        "username",
    )
    assert_error(
        site.client.put(
            f"/users/{user_id}/password",
            json={"password": NEW, "username": "ito"},
            headers=admin,
        ),
        422,
        "username_taken",
        "username",
    )
    assert (_row(site, user_id).password_hash, site.ledger_events()) == before
    assert _signin(site, "sato", PASSWORD).status_code == 200
