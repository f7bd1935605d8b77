"""``alliance org load`` holds a document to the rule the API holds clients to:
every id is in its owner's namespace. A document with one id outside it is
refused whole, naming the entry, and nothing of it is stored."""

from __future__ import annotations

from pathlib import Path

import yaml

from alliance.store import Database
from alliance.store.ledger import count
from tests.conftest import DatabaseFactory

from .conftest import Cli, one_line

DOC = {
    "format": "alliance-org/1",
    "hqs": [
        {
            "id": "jpn-cell",
            "nation": "JPN",
            "parent": "jpn-jjoc",
            "kind": "component",
            "name_en": "Cell",
            "name_ja": "班",
            "short_en": "CELL",
            "short_ja": "班",
        }
    ],
    "units": [
        {
            "id": "jpn-det",
            "hq": "jpn-cell",
            "name_en": "Detachment",
            "name_ja": "分遣隊",
            "sidc": "SFGPUCI----H---",
            "domain": "land",
        }
    ],
}


def _events(url: str) -> int:
    db = Database(url, pool_size=1)
    try:
        return count(db)
    finally:
        db.dispose()


def test_a_document_with_an_id_outside_its_owners_namespace_changes_nothing(
    cli: Cli, tmp_path: Path, new_database: DatabaseFactory
) -> None:
    home, url = tmp_path / "jpn", new_database()
    made = cli("init", "--nation", "JPN", "--database-url", url, home=home)
    assert made.returncode == 0, made.stderr
    before = _events(url)
    for section, ident in (("hqs", "usa-cell"), ("units", "usa-det"), ("hqs", "cell")):
        doc = yaml.safe_load(yaml.safe_dump(DOC))
        doc[section][0]["id"] = ident
        if section == "hqs":
            doc["units"][0]["hq"] = ident
        path = tmp_path / f"{ident}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        refused = cli("org", "load", path, home=home)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        said = one_line(refused.stderr)
        assert f"'{ident}' is not in JPN's namespace" in said, said
        assert "'jpn-'" in said, said
        assert f"{section}.0.id" in said, said
        assert _events(url) == before

    fine = tmp_path / "fine.yaml"
    fine.write_text(yaml.safe_dump(DOC, allow_unicode=True), encoding="utf-8")
    loaded = cli("org", "load", fine, home=home)
    assert loaded.returncode == 0, loaded.stderr
    assert _events(url) == before + 2
