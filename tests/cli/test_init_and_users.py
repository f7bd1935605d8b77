"""``alliance init``, ``user add`` and ``config check`` run as an operator runs them."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import httpx

from alliance.config import load_settings
from alliance.node import Node

from .conftest import Cli, one_line


def test_init_creates_an_owner_only_key_and_refuses_to_run_twice(
    cli: Cli, tmp_path: Path, serve: Callable[[Node], httpx.Client]
) -> None:
    home = tmp_path / "jpn"
    first = cli("init", "--nation", "JPN", home=home)
    assert first.returncode == 0, first.stderr
    assert "jpn-node (JPN) ready" in one_line(first.stdout)
    key = home / "node.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert (home / "alliance.toml").exists()
    original = key.read_bytes()

    again = cli("init", "--nation", "JPN", home=home, env={"ALLIANCE_LANG": "ja"})
    assert again.returncode == 2
    assert "上書きしません" in one_line(again.stderr)
    assert key.read_bytes() == original

    added = cli(
        "user", "add", "--name", "Col. Tanaka", "--hq", "jpn-jjoc", "--role", "commander", home=home
    )
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("alc_")
    refused = cli(
        "user", "add", "--name", "Nobody", "--hq", "usa-jfhq", "--role", "viewer", home=home
    )
    assert refused.returncode == 2
    assert "usa-jfhq" in one_line(refused.stderr)
    # A bad nation is named, in the operator's language.
    for lang, words in (("en", "ISO 3166-1 alpha-3"), ("ja", "国コード")):
        bad = cli(
            "user", "add", "--name", "X", "--hq", "jpn-jjoc", "--role", "viewer",
            "--nation", "ZZZ", home=home, env={"ALLIANCE_LANG": lang},
        )  # fmt: skip
        assert bad.returncode == 2
        assert "nation" in one_line(bad.stderr)
        assert words in one_line(bad.stderr), bad.stderr

    # The printed token signs in to the node's API, as the user it was made for.
    node = Node(load_settings(home)).start()
    try:
        client = serve(node)
        me = client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert (me.json()["name"], me.json()["hq"], me.json()["role"]) == (
            "Col. Tanaka",
            "jpn-jjoc",
            "commander",
        )
        wrong = client.get("/me", headers={"Authorization": f"Bearer {token}x"})
        assert (wrong.status_code, wrong.json()["code"]) == (401, "bad_token"), wrong.text
    finally:
        node.close()


def test_config_check_prints_merged_settings_with_environment_over_file(
    cli: Cli, tmp_path: Path
) -> None:
    home = tmp_path / "usa"
    Node.init(load_settings(home, nation="USA", port=8711)).db.dispose()  # writes alliance.toml

    from_file = cli("config", "check", home=home)
    assert from_file.returncode == 0, from_file.stderr
    settings = json.loads(from_file.stdout)
    assert (settings["nation"], settings["port"], settings["lang"]) == ("USA", 8711, "en")
    assert settings["node_id"] == "usa-node"
    assert settings["key_passphrase"] is None

    env = {
        "ALLIANCE_HOME": str(home),
        "ALLIANCE_PORT": "9123",
        "ALLIANCE_LANG": "ja",
        "ALLIANCE_KEY_PASSPHRASE": "correct-horse-battery",
    }
    from_env = cli("config", "check", env=env)
    assert from_env.returncode == 0, from_env.stderr
    merged = json.loads(from_env.stdout)
    assert (merged["nation"], merged["port"], merged["lang"]) == ("USA", 9123, "ja")
    assert merged["home"] == str(home.resolve())
    assert merged["key_passphrase"] == "********"
    assert "correct-horse-battery" not in from_env.stdout + from_env.stderr

    bad = cli("config", "check", home=home, env={"ALLIANCE_PORT": "99999"})
    assert bad.returncode == 2
    assert "port" in one_line(bad.stderr)


def test_a_folder_without_a_node_is_named_as_such(cli: Cli, tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere"
    for env, words in (
        ({}, "There is no Alliance node at"),
        ({"ALLIANCE_LANG": "ja"}, "ノードがありません"),
    ):
        result = cli("ledger", "verify", home=nowhere, env=env)
        assert result.returncode == 2
        message = one_line(result.stderr)
        assert words in message, message
        assert str(nowhere) in message
        assert "alliance init" in message
        assert "Bad setting" not in message
