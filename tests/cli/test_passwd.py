"""``alliance user passwd``: the operator sets a console password from stdin."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from alliance.config import load_settings
from alliance.core.errors import Unauthenticated
from alliance.node import Node

from .conftest import ALLIANCE, Cli, one_line


def _passwd(
    home: Path, *args: str, stdin: str, lang: str = "en"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    env.update({"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb", "ALLIANCE_LANG": lang})
    return subprocess.run(
        [str(ALLIANCE), "user", "passwd", *args, "--home", str(home)],
        input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_passwd_reads_stdin_sets_a_username_and_the_password_signs_in(
    cli: Cli, tmp_path: Path
) -> None:
    home = tmp_path / "jpn"
    assert cli("init", "--nation", "JPN", home=home).returncode == 0
    added = cli(
        "user", "add", "--name", "Col. Tanaka", "--hq", "jpn-jjoc", "--role", "commander", home=home
    )
    user_id = one_line(added.stdout).split()[1]
    short = _passwd(home, user_id, "--password-stdin", stdin="short\n", lang="ja")
    assert short.returncode == 2
    assert "パスワード" in one_line(short.stderr)
    done = _passwd(home, user_id, "--username", "Tanaka", stdin="Kaigun-Tanaka-26\n")
    assert done.returncode == 0, done.stderr
    assert "'tanaka'" in one_line(done.stdout)
    node = Node(load_settings(home)).start()
    try:
        session = node.signin.with_password("tanaka", "Kaigun-Tanaka-26")
        assert session.actor.user_id == user_id
        with pytest.raises(Unauthenticated):
            node.signin.with_password("tanaka", "Kaigun-Tanaka-27")
    finally:
        node.close()
