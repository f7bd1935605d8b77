"""The command line's validation messages keep the limit that was broken, in
both languages, as the API's do."""

from __future__ import annotations

from pathlib import Path

from alliance.core import limits

from .conftest import Cli, one_line


def test_a_too_long_name_is_refused_naming_the_limit(cli: Cli, tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    assert cli("init", "--nation", "JPN", home=home).returncode == 0
    name = "x" * (limits.NAME + 1)
    said = {}
    for lang in ("en", "ja"):
        done = cli(
            "user", "add", "--name", name, "--hq", "jpn-jjoc", "--role", "viewer",
            home=home, env={"ALLIANCE_LANG": lang},
        )  # fmt: skip
        assert done.returncode == 2, done.stdout
        said[lang] = one_line(done.stderr)
    assert f"at most {limits.NAME} characters" in said["en"], said
    assert f"{limits.NAME}文字以内" in said["ja"], said
    assert "name" in said["ja"], said
    # Nothing was stored.
    listed = cli("user", "list", home=home)
    assert "xxxxxxxx" not in listed.stdout
