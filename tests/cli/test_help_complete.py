"""A command's Japanese help says as much as its English: not a title where the
English explains (``federation add-partner`` once said "Pin a partner's CA and
ledger key; queue everything already released to it" and only 連携先を登録する)."""

from __future__ import annotations

import re

import typer.main

from alliance.cli import app

from .test_help import _walk

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# Japanese says in about half the characters what English says; a translation
# below this share of the English leaves something out. Short titles
# ("Settings / 設定") are complete at any length.
SHARE = 0.3
SHORT = 30


def _halves(text: str) -> tuple[str, str]:
    """The English and the Japanese of a help text written "English / 日本語"."""
    flat = " ".join(text.split())
    for i in (i for i in range(len(flat)) if flat.startswith(" / ", i)):
        if JAPANESE.search(flat[i + 3 : i + 3 + 40] or ""):
            first_ja = JAPANESE.search(flat[i + 3 :])
            if first_ja is not None and first_ja.start() < 20:
                return flat[:i].strip(), flat[i + 3 :].strip()
    return flat, ""


def test_every_commands_japanese_help_is_as_complete_as_its_english() -> None:
    root = typer.main.get_command(app)
    short: list[str] = []
    for path, cmd in _walk(root, ("alliance",)):
        en, ja = _halves(cmd.help or "")
        if len(en) < SHORT:
            continue
        if len(ja) < SHARE * len(en):
            short.append(f"{' '.join(path)}: {en!r} / {ja!r}")
    assert not short, "Japanese help much shorter than the English:\n" + "\n".join(short)


def test_the_check_reads_both_halves() -> None:
    assert _halves("Pin a partner's CA. / 連携先を登録する。") == (
        "Pin a partner's CA.",
        "連携先を登録する。",
    )
    assert _halves("Settings / 設定") == ("Settings", "設定")
