"""``alliance org export`` carries only what is released; ``org load`` reads it into another node."""

from __future__ import annotations

import json
from pathlib import Path

from alliance.config import load_settings
from alliance.core.authority import Actor, Role
from alliance.node import Node
from alliance.org import Domain, UnitIn, load_document, packaged_seed, parse_document

from .conftest import Cli, one_line


def _seeded_jpn_node_with_a_national_unit(home: Path) -> str:
    with Node.init(load_settings(home, nation="JPN")) as node:
        doc, digest = parse_document(packaged_seed())
        load_document(node.ctx, doc, digest)
        actor = Actor("op", "JPN operator", "JPN", "jpn-jjoc", Role.COMMANDER)
        unit = node.org.create_unit(
            actor,
            UnitIn(
                hq_id="jpn-gcc",
                name_en="Special Operations Group",
                name_ja="特殊作戦群",
                sidc="SFGPUCIS---H---",
                domain=Domain.LAND,
            ),
        )
    return unit.id


def test_export_to_a_partner_holds_only_released_objects_and_loads_into_a_fresh_node(
    cli: Cli, tmp_path: Path
) -> None:
    jpn_home, usa_home = tmp_path / "jpn", tmp_path / "usa"
    secret_unit = _seeded_jpn_node_with_a_national_unit(jpn_home)

    out_file = tmp_path / "for-usa.json"
    exported = cli(
        "org", "export", "--to", "USA", "--format", "json", "-o", out_file, home=jpn_home
    )
    assert exported.returncode == 0, exported.stderr
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert doc["format"] == "alliance-org/1"
    sections = ("nations", "hqs", "units", "relationships", "counterparts")
    items = [item for section in sections for item in doc[section]]
    assert all("USA" in item["marking"]["releasable_to"] for item in items)
    assert secret_unit not in {u["id"] for u in doc["units"]}
    assert {"jpn-ardb", "usa-1-1ada"} <= {u["id"] for u in doc["units"]}
    assert {"jpn-jjoc", "usa-jfhq"} <= {h["id"] for h in doc["hqs"]}
    assert secret_unit not in out_file.read_text(encoding="utf-8")

    Node.init(load_settings(usa_home, nation="USA")).db.dispose()  # fresh: no structure yet
    loaded = cli("org", "load", out_file, home=usa_home)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout) == {
        "created": len(items),
        "updated": 0,
        "unchanged": 0,
        "skipped": [],
    }

    # What the fresh node holds and would export to USA is exactly what it was sent.
    again = cli("org", "export", "--to", "USA", "--format", "json", home=usa_home)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == doc

    # A broken document is refused whole, naming the entry at fault.
    broken = tmp_path / "broken.json"
    doc["units"][0]["sidc"] = "NOT-A-SYMBOL"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    refused = cli("org", "load", broken, home=usa_home)
    assert refused.returncode == 2
    assert "units.0.sidc" in one_line(refused.stderr)
