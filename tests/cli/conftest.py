"""Run the installed ``alliance`` command as a subprocess, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ALLIANCE = Path(sys.executable).parent / "alliance"


class Cli:
    """``cli("init", "--nation", "JPN", home=h)``: run the command in a clean environment."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(
        self, *args: str | Path, home: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
        # Wide, plain output so that messages are not wrapped or coloured.
        clean.update({"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"})
        clean.update(env or {})
        argv = [str(ALLIANCE), *map(str, args)]
        if home is not None:
            argv += ["--home", str(home)]
        return subprocess.run(
            argv, capture_output=True, text=True, env=clean, cwd=self.cwd, timeout=120, check=False
        )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    assert ALLIANCE.exists(), f"the alliance command is not installed at {ALLIANCE}"
    return Cli(tmp_path)


def one_line(text: str) -> str:
    """Output with line breaks and runs of spaces collapsed, for substring checks."""
    return " ".join(text.split())
