"""``alliance upgrade`` brings an old node's database and ledger up to this
version; ``alliance ledger verify`` asks for it rather than fail on the old schema."""

from __future__ import annotations

from pathlib import Path

from tests.store.old_node import FIXTURE, old_node

from .conftest import Cli


def test_ledger_verify_asks_for_the_upgrade_then_finds_the_state_in_step(
    tmp_path: Path, database_url: str, cli: Cli
) -> None:
    old = old_node(tmp_path / "jpn", database_url)
    env = {"ALLIANCE_KEY_PASSPHRASE": FIXTURE["passphrase"]}
    before = cli("ledger", "verify", home=old.home, env=env)
    assert before.returncode == 2, before.stdout + before.stderr
    assert "alliance upgrade" in before.stderr
    assert "schema 0010" in before.stderr
    upgraded = cli("upgrade", home=old.home, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "7 rewritten rows recorded" in upgraded.stdout
    after = cli("ledger", "verify", home=old.home, env=env)
    assert after.returncode == 0, after.stderr
    assert "State OK" in after.stdout
