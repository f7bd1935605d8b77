"""``alliance org facts`` prints the sourced structure: the tree with each
entry's as-of date and sources, the links, then the exercise assumptions apart."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli


def _init(cli: Cli, home: Path) -> None:
    done = cli("init", "--nation", "USA", home=home)
    assert done.returncode == 0, done.stderr


def test_org_facts_prints_the_sourced_tree_and_the_exercise_assumptions_apart(
    cli: Cli, tmp_path: Path
) -> None:
    home = tmp_path / "usa"
    _init(cli, home)
    out = cli("org", "facts", home=home)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Japan–US command structures (public facts) / 日米の指揮組織（公開情報）" in text
    assert (
        "      U.S. Indo-Pacific Command / 米インド太平洋軍  [combatant command]  as of 2026-12-02\n"
        "          sources: pacom-wiki (secondary), mmsdf-indopacom (secondary)\n"
        "        U.S. Forces Japan / 在日米軍司令部  [subordinate unified command]  as of 2025-10-29\n"
        "            sources: mod-wp2025-c2 (primary)"
    ) in text
    assert "U.S. Forces Japan → U.S. Army Japan / 在日米軍司令部 → 在日米陸軍 — component" in text
    assert "exercise assumption — fictional / 演習想定（架空）: Exercise assumptions" in text
    public, exercise = text.split("exercise assumption — fictional / 演習想定（架空）: ", 1)
    assert "operational control (OPCON) / 作戦統制（OPCON）" in exercise.split("Sources / 出典")[0]
    assert (
        "U.S. Forces Japan → U.S. Army Japan / 在日米軍司令部 → 在日米陸軍 — operational"
        not in public
    )


def test_org_facts_json_carries_sources_and_the_fictional_label(cli: Cli, tmp_path: Path) -> None:
    home = tmp_path / "usa"
    _init(cli, home)
    out = cli("org", "facts", "--json", home=home)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    usfj = next(f for f in body["public"] if f["id"] == "usa-jfhq")
    assert usfj["sources"][0] == {
        "id": "mod-wp2025-c2",
        "title": "令和7年版防衛白書 第III部 2 指揮・統制の強化",
        "publisher": "防衛省",
        "url": "http://www.clearing.mod.go.jp/hakusho_data/2025/html/n320302000.html",
        "read": "2026-12-02",
        "kind": "primary",
        "kind_label": {"en": "primary source", "ja": "一次資料"},
    }
    assert body["exercise"]["label"] == {
        "en": "exercise assumption — fictional",
        "ja": "演習想定（架空）",
    }
    assert all(a["label"]["ja"] == "演習想定（架空）" for a in body["exercise"]["assumptions"])
