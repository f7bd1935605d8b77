"""Golden file: the TAXII exchange a client sees — discovery, API root,
collections, an envelope and its pages, manifest, versions, a status resource
and errors — pinned byte for byte in ``tests/golden/taxii_exchange.json``
(times the server chose, ids it drew and the port it listened on are
replaced by placeholders first). After a deliberate change, regenerate with
``ALLIANCE_UPDATE_GOLDEN=1`` and review the diff."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from alliance.core.markings import TLP
from alliance.cyber.taxii import TAXII

from .conftest import ROOT, Taxii
from .helpers import indicator

GOLDEN = Path(__file__).parents[1] / "golden" / "taxii_exchange.json"
_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _shown(response: Any, base: str) -> dict[str, Any]:
    headers = {
        k: v
        for k, v in sorted(response.headers.items())
        if k.lower() in ("content-type", "x-taxii-date-added-first", "x-taxii-date-added-last")
    }
    body = response.json() if response.content else None
    return {"status": response.status_code, "headers": headers, "body": body}


def _placeholders(text: str, base: str) -> str:
    text = text.replace(base, "https://node.example")
    text = _DATE.sub("<date_added>", text)
    text = re.sub(r'"(error_id|id)": "[0-9a-z]{26}"', r'"\1": "<ulid>"', text)
    return re.sub(r'"request_timestamp": "[^"]+"', '"request_timestamp": "<now>"', text)


def test_the_taxii_exchange_matches_the_golden_file(taxii: Taxii) -> None:
    base = str(taxii.client.base_url).rstrip("/")
    first = indicator(1, rel=("USA",), tlp=TLP.GREEN, modified="2026-11-01T00:00:00.000Z")
    second = indicator(1, rel=("USA",), tlp=TLP.GREEN, modified="2026-11-02T00:00:00.000Z")
    other = indicator(2, rel=("USA",))
    posted = taxii.client.post(
        taxii.objects_url(),
        json={"objects": [first, second, other, {**indicator(3), "spec_version": "2.0"}]},
        headers={**taxii.auth("JPN"), "Content-Type": TAXII},
    )
    url = taxii.objects_url()
    page1 = taxii.get(url, "USA", limit=1)
    exchange = {
        "discovery": taxii.get("/taxii2/", "USA"),
        "api_root": taxii.get(f"{ROOT}/", "USA"),
        "collections": taxii.get(f"{ROOT}/collections/", "USA"),
        "post_objects": posted,
        "status": taxii.get(f"{ROOT}/status/{posted.json()['id']}/", "JPN"),
        "objects_page_1": page1,
        "objects_page_2": taxii.get(url, "USA", limit=1, next=page1.json()["next"]),
        "object_all_versions": taxii.get(
            f"{url}{first['id']}/", "USA", **{"match[version]": "all"}
        ),
        "versions": taxii.get(f"{url}{first['id']}/versions/", "USA"),
        "manifest": taxii.get(f"{ROOT}/collections/{taxii.collection}/manifest/", "USA"),
        "error_not_found": taxii.get(
            f"{url}indicator--00000000-0000-4000-8000-000000000000/", "USA"
        ),
        "error_media_type": taxii.client.post(
            url, content=b"{}", headers={**taxii.auth("JPN"), "Content-Type": "text/plain"}
        ),
        "error_unauthenticated": taxii.client.get(f"{ROOT}/collections/"),
    }
    shown = {name: _shown(r, base) for name, r in exchange.items()}
    text = _placeholders(json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False), base)
    text = text.replace(taxii.node.node_id, "<node>") + "\n"
    if os.environ.get("ALLIANCE_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
