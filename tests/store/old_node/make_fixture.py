"""Write ``node-0010.json``: a combined node written by Alliance as it was at
schema revision 0010 (before the ACM's tiers and graded positions, and before
exercise tracks), for the upgrade test (``tests/store/test_upgrade.py``).

It must run on the OLD code, which is how the fixture was made::

    git worktree add /tmp/old f67573d
    cd /tmp/old && PYTHONPATH=src:. python /path/to/tests/store/old_node/make_fixture.py OUT.json

The node holds the packaged seed, sent coordination requests (a proposal and
an RFI) with every kind of response the old version had, and a COP track.
Its key is a test key with a fixed passphrase; nothing in it is real.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from alliance.api.app import create_app
from alliance.config import load_settings
from alliance.node import Node
from alliance.org import load_document, packaged_seed, parse_document
from tests.conftest import add_people

PASSPHRASE = "old-node-test-passphrase"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.astimezone(UTC).isoformat()}
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    return value


def main(out: Path) -> None:
    home = Path(tempfile.mkdtemp()) / "jpn"
    settings = load_settings(
        home, nation="JPN", hosted=["USA"], node_id="jpn-old", key_passphrase=PASSPHRASE
    )
    node = Node.init(settings).start()
    doc, digest = parse_document(packaged_seed())
    load_document(node.ctx, doc, digest)
    people = add_people(node)
    client = TestClient(create_app(node), base_url="http://testserver/api/v1")
    jpn = people("JPN", "staff_officer", "jpn-jjoc")
    usa = people("USA", "staff_officer", "usa-jfhq")
    usa_cdr = people("USA", "commander", "usa-jfhq")

    def post(path: str, body: dict[str, Any], who: dict[str, str]) -> dict[str, Any]:
        r = client.post(path, json=body, headers=who)
        assert r.status_code in (200, 201), r.text
        result: dict[str, Any] = r.json()
        return result

    rel = {"releasable_to": ["USA"]}
    proposal = post(
        "/acm/requests",
        {
            "kind": "activity",
            "from_hq_id": "jpn-jjoc",
            "to_hq_ids": ["usa-jfhq"],
            "subject": "Bilateral air defence drill window",
            "marking": rel,
        },
        jpn,
    )
    post(f"/acm/requests/{proposal['id']}/send", {}, jpn)
    post(f"/acm/requests/{proposal['id']}/responses", {"kind": "reply", "text": "Seen."}, usa)
    post(
        f"/acm/requests/{proposal['id']}/responses",
        {"kind": "counter_proposal", "text": "Move it a week later."},
        usa_cdr,
    )
    post(
        f"/acm/requests/{proposal['id']}/responses",
        {"kind": "non_concur", "text": "Ranges are booked."},
        usa_cdr,
    )
    rfi = post(
        "/acm/requests",
        {
            "kind": "rfi",
            "from_hq_id": "jpn-jjoc",
            "to_hq_ids": ["usa-jfhq"],
            "subject": "Ranges available in the training box",
            "marking": rel,
        },
        jpn,
    )
    post(f"/acm/requests/{rfi['id']}/send", {}, jpn)
    post(f"/acm/requests/{rfi['id']}/responses", {"kind": "reply", "text": "Two of three."}, usa)
    post(f"/acm/requests/{rfi['id']}/responses", {"kind": "concur", "text": ""}, usa_cdr)
    post(
        "/cop/tracks",
        {
            "uid": "JPN-EX-0001",
            "sidc": "SFSPCLFF-------",
            "callsign": "NOTIONAL FRIGATE 1 (fictional)",
            "lat": 33.5,
            "lon": 139.5,
            "marking": rel,
        },
        jpn,
    )
    node.close()

    engine = sa.create_engine(settings.database_url)
    meta = sa.MetaData()
    meta.reflect(engine)
    tables: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = conn.execute(sa.select(table)).mappings().all()
            tables[table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    fixture = {
        "revision": revision,
        "nation": "JPN",
        "hosted": ["USA"],
        "node_id": "jpn-old",
        "passphrase": PASSPHRASE,
        "key": base64.b64encode(settings.key_file.read_bytes()).decode(),
        "tables": tables,
    }
    out.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
