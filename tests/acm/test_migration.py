"""Migration 0013 brings requests and responses written before the ACM's tiers
and graded positions to the new fields, on every backend: nothing is dropped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from alliance.store.db import MIGRATIONS, Database

BEFORE = "0012"  # the revision the ACM migration (0013) follows
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _upgrade(db: Database, to: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, to)


def _owned(ident: str, owner: str) -> dict[str, Any]:
    return {
        "id": ident,
        "owner": owner,
        "rel": "JPN,USA",
        "tlp": None,
        "version": 1,
        "origin": "local" if owner == "JPN" else "replica",
        "created_at": NOW,
        "updated_at": NOW,
    }


def _request(ident: str, kind: str) -> dict[str, Any]:
    return {
        **_owned(ident, "JPN"),
        "kind": kind,
        "from_hq_id": "jpn-jjoc",
        "to_hq_ids": ["usa-jfhq"],
        "subject": f"Old {kind}",
        "body": "",
        "priority": "routine",
        "due": None,
        "state": "sent",
        "release_rel": "JPN,USA",
        "release_tlp": None,
        "revision": 1,
        "author_id": "u1",
        "sent_at": NOW,
        "closed_at": None,
    }


def _json(value: Any) -> Any:
    """A JSON column as read back by raw SQL (SQLite gives its text)."""
    return json.loads(value) if isinstance(value, str) else value


def _response(ident: str, request_id: str, owner: str, kind: str, text: str) -> dict[str, Any]:
    return {
        **_owned(ident, owner),
        "request_id": request_id,
        "request_revision": 1,
        "kind": kind,
        "text": text,
        "author_id": "u2",
        "author_name": "someone",
        "author_role": "commander",
        "author_hq_id": "usa-jfhq" if owner == "USA" else "jpn-jjoc",
    }


OLD_RESPONSES = [
    # (id, request, owner, old kind, text) -> (new kind, new text, comment grades)
    (("r1", "rfi", "USA", "reply", "Two officers."), ("answer", "Two officers.", [])),
    (("r2", "rfi", "JPN", "reply", "Thanks."), ("comment", "(reply) Thanks.", [])),
    (("r3", "rfi", "USA", "concur", "Fine."), ("comment", "(concur) Fine.", [])),
    (("r4", "rfs", "USA", "reply", "Looking."), ("comment", "Looking.", [])),
    (("r5", "rfs", "USA", "counter_proposal", "Kadena."), ("non_concur", "Kadena.", ["critical"])),
    (("r6", "rfs", "USA", "non_concur", ""), ("non_concur", "", ["critical"])),
    (("r7", "rfs", "JPN", "concur", "Yes."), ("concur", "Yes.", [])),
    (("r8", "rfs", "USA", "acknowledge", ""), ("acknowledge", "", [])),
]


def test_old_requests_and_responses_are_brought_to_the_new_fields(database_url: str) -> None:
    db = Database(database_url)
    try:
        _upgrade(db, BEFORE)
        meta = sa.MetaData()
        meta.reflect(db.write_engine, only=["coordination_requests", "coordination_responses"])
        requests, responses = (
            meta.tables["coordination_requests"],
            meta.tables["coordination_responses"],
        )
        with db.write_engine.begin() as conn:
            conn.execute(sa.insert(requests), [_request("rfi", "rfi"), _request("rfs", "rfs")])
            conn.execute(
                sa.insert(responses),
                [_response(i, q, o, k, t) for (i, q, o, k, t), _ in OLD_RESPONSES],
            )
        _upgrade(db, "head")
        with db.write_engine.connect() as conn:
            levels: dict[str, str] = dict(
                conn.execute(sa.text("SELECT id, level FROM coordination_requests")).all()
            )
            escalations = conn.execute(
                sa.text("SELECT escalations FROM coordination_requests")
            ).scalars()
            assert levels == {"rfi": "bocc", "rfs": "bocc"}
            assert [_json(e) for e in escalations] == [[], []]
            rows = {
                r.id: r
                for r in conn.execute(
                    sa.text(
                        "SELECT id, kind, text, comments, delegation_id FROM coordination_responses"
                    )
                )
            }
        for (ident, _q, _o, _k, old_text), (kind, text, grades) in OLD_RESPONSES:
            row = rows[ident]
            comments = _json(row.comments)
            assert (row.kind, row.text) == (kind, text), ident
            assert [c["grade"] for c in comments] == grades, ident
            if grades:  # the old text is kept as the comment, or a note says what it was
                assert comments[0]["text"] == (old_text or comments[0]["text"])
                assert comments[0]["text"]
            assert row.delegation_id is None
    finally:
        db.dispose()
