"""Every ``alliance`` command and every option and argument has help in both
English and Japanese (the command line is as clear as the console)."""

from __future__ import annotations

import re
from typing import Any

import typer.main

from alliance.cli import app

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")
# Typer's own options (shell completion, help) are not ours to word.
TYPER_OWN = {"help", "install_completion", "show_completion"}


def _walk(cmd: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    """Each command under ``cmd`` (Typer's click objects: groups have ``commands``)."""
    found = [(path, cmd)]
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        found.extend(_walk(sub, (*path, name)))
    return found


def _bilingual(text: str | None) -> bool:
    return bool(text and JAPANESE.search(text) and LATIN.search(text))


def _missing() -> list[str]:
    root = typer.main.get_command(app)
    missing: list[str] = []
    for path, cmd in _walk(root, ("alliance",)):
        where = " ".join(path)
        if not _bilingual(cmd.help):
            missing.append(f"{where}: the command's help")
        for param in cmd.params:
            if param.name in TYPER_OWN:
                continue
            text = getattr(param, "help", None)
            if not _bilingual(text):
                flag = param.opts[0] if param.opts else param.name
                missing.append(f"{where} {flag}: {text!r}")
    return missing


def test_the_walk_sees_every_command_and_its_options() -> None:
    root = typer.main.get_command(app)
    paths = {" ".join(p) for p, _ in _walk(root, ("alliance",))}
    assert {"alliance demo", "alliance user add", "alliance org facts", "alliance upgrade"} <= paths
    demo = next(c for p, c in _walk(root, ("alliance",)) if p == ("alliance", "demo"))
    assert "--jpn-port" in {o for p in demo.params for o in p.opts}


def test_every_command_option_and_argument_has_help_in_both_languages() -> None:
    missing = _missing()
    assert not missing, "help missing or in one language only:\n" + "\n".join(missing)
