"""User administration over HTTP: admins only, tokens shown once and stored as hashes."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from alliance.store.schema import LedgerRow, UserRow

from .conftest import Site, assert_error


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_admin_creates_a_user_whose_token_works(site: Site) -> None:
    admin = site.as_("JPN", "admin", "jpn-jjoc")
    made = site.client.post(
        "/users",
        json={"name": "Maj. Sato", "nation": "jpn", "hq_id": "jpn-adc", "role": "staff_officer"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["user"]["nation"] == "JPN"
    assert out["user"]["disabled"] is False
    token = out["token"]
    # The issuing node's id, then 32 random bytes.
    assert re.fullmatch(rf"alc_{re.escape(site.node.node_id)}~[A-Za-z0-9_-]{{43}}", token), token

    me = site.client.get("/me", headers=_bearer(token))
    assert me.status_code == 200, me.text
    assert (me.json()["nation"], me.json()["hq"], me.json()["role"]) == (
        "JPN",
        "jpn-adc",
        "staff_officer",
    )
    assert me.json()["role_name"] == {"en": "staff officer", "ja": "幕僚"}
    # The new officer acts with exactly that authority: its own HQ's units, not others'.
    own = site.client.patch("/org/units/jpn-2aw", json={"echelon": "wing"}, headers=_bearer(token))
    assert own.status_code == 200, own.text
    other = site.client.patch("/org/units/jpn-ardb", json={"echelon": "x"}, headers=_bearer(token))
    assert_error(other, 403, "not_in_chain")

    listed = site.client.get("/users", headers=admin).json()
    jpn_cast = [name for name in site.people.tokens if name.startswith("JPN ")]  # named by key
    assert sorted(u["name"] for u in listed) == sorted([*jpn_cast, "Maj. Sato"])
    assert {u["nation"] for u in listed} == {"JPN"}
    assert token not in site.client.get("/users", headers=admin).text
    _assert_tokens_hashed(site, [*site.people.tokens.values(), token])


def _assert_tokens_hashed(site: Site, tokens: list[str]) -> None:
    """The users table holds only SHA-256 hashes; neither it nor the ledger holds a token."""
    with site.node.db.read() as s:
        rows = list(s.scalars(select(UserRow)))
        bodies = [bytes(b) for b in s.scalars(select(LedgerRow.body))]
    assert len(rows) == len(tokens)
    hashes = {r.token_hash for r in rows}
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    for row in rows:
        stored = " ".join(str(getattr(row, c.key)) for c in UserRow.__table__.columns)
        assert not any(t in stored for t in tokens)
    for body in bodies:
        assert not any(t.encode() in body for t in tokens)
        assert not any(h.encode() in body for h in hashes)


def test_only_an_admin_of_the_same_nation_manages_users(site: Site) -> None:
    new_user = {"name": "Capt. Doe", "nation": "USA", "hq_id": "usa-jfhq", "role": "viewer"}
    before = site.ledger_events()
    for role in ("commander", "staff_officer", "liaison_officer", "viewer"):
        who = site.as_("USA", role, "usa-jfhq")
        body = assert_error(
            site.client.post("/users", json=new_user, headers=who), 403, "role_not_authorized"
        )
        assert body["message"]["en"].endswith("may not administer this node.")
        assert_error(site.client.get("/users", headers=who), 403, "role_not_authorized")
    # An admin of the partner nation cannot create users for the other nation.
    assert_error(
        site.client.post("/users", json=new_user, headers=site.as_("JPN", "admin", "jpn-jjoc")),
        403,
        "not_released",
    )
    assert_error(
        site.client.post(
            "/users",
            json={**new_user, "hq_id": "jpn-jjoc"},
            headers=site.as_("USA", "admin", "usa-jfhq"),
        ),
        422,
        "hq_of_another_nation",
        field="hq_id",
    )
    unknown = assert_error(
        site.client.post(
            "/users",
            json={**new_user, "hq_id": "usa-nowhere"},
            headers=site.as_("USA", "admin", "usa-jfhq"),
        ),
        422,
        "unknown_hq",
        field="hq_id",
    )
    assert "usa-nowhere" in unknown["message"]["en"]
    assert site.ledger_events() == before
    made = site.client.post("/users", json=new_user, headers=site.as_("USA", "admin", "usa-jfhq"))
    assert made.status_code == 201, made.text
    assert (made.json()["user"]["nation"], made.json()["user"]["role"]) == ("USA", "viewer")
    assert site.ledger_events() == before + 1


def test_a_disabled_user_token_is_refused(site: Site) -> None:
    admin = site.as_("USA", "admin", "usa-jfhq")
    made = site.client.post(
        "/users",
        json={"name": "Lt. Roe", "nation": "USA", "hq_id": "usa-5af", "role": "commander"},
        headers=admin,
    ).json()
    token, user_id = made["token"], made["user"]["id"]
    assert site.client.get("/me", headers=_bearer(token)).status_code == 200

    # The other nation's admin cannot switch a USA user off; to it, the user does not exist.
    assert_error(
        site.client.post(f"/users/{user_id}/disable", headers=site.as_("JPN", "admin", "jpn-jjoc")),
        404,
        "not_found",
    )
    assert site.client.get("/me", headers=_bearer(token)).status_code == 200

    disabled = site.client.post(f"/users/{user_id}/disable", headers=admin)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabled"] is True
    for path in ("/me", "/org/hqs", "/node"):
        assert_error(site.client.get(path, headers=_bearer(token)), 401, "bad_token")
    assert_error(
        site.client.post(f"/users/{user_id}/disable", headers=admin), 409, "already_disabled"
    )
