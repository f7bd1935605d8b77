"""Every table the CLI prints fits an 80-column terminal without cutting
meaning: no line is wider than 80 cells, nothing is cut off with an ellipsis,
and every header is shown whole (the wide-only columns behind ``--wide``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from alliance.cli.federation import quarantine_table, status_table
from alliance.core.models import TimeOut
from alliance.federation import LinkOut, QuarantinedOut
from alliance.federation.held import HeldOut

from .conftest import Cli

NARROW = {"COLUMNS": "80", "LINES": "50"}


def _fits(text: str) -> None:
    lines = text.splitlines()
    assert lines, "nothing printed"
    wide = [line for line in lines if cell_len(line) > 80]
    assert not wide, "wider than 80 columns:\n" + "\n".join(wide)
    assert "…" not in text, "a cell was cut off:\n" + text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_listing_fits_80_columns(cli: Cli, tmp_path: Path, lang: str) -> None:
    home = tmp_path / "jpn"
    assert cli("init", "--nation", "JPN", home=home).returncode == 0
    assert cli("pki", "init", home=home).returncode == 0
    long_name = "Lieutenant Colonel Takahashi Kenichiro, Deputy J3 Operations / 高橋健一郎二等陸佐"
    added = cli(
        "user", "add", "--name", long_name, "--hq", "jpn-jjoc", "--role", "liaison_officer",
        home=home,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    env = {**NARROW, "ALLIANCE_LANG": lang}
    for listing in (
        ("user", "list"),
        ("pki", "show"),
        ("federation", "status"),
        ("federation", "quarantine"),
        ("federation", "quarantine", "--all"),
    ):
        done = cli(*listing, home=home, env=env)
        assert done.returncode == 0, (listing, done.stderr)
        _fits(done.stdout)
    users = cli("user", "list", home=home, env=env).stdout
    flat = _flat(users)
    # Wrapped, not cut: the long name whole, the id on one line (it is copied).
    assert all(word in flat for word in long_name.split()), users
    user_id = added.stdout.split("User ")[1].split()[0]
    assert user_id in users.split(), users
    if lang == "ja":
        assert all(word in flat for word in ("連絡官", "氏名", "司令部", "役割")), users
    else:
        assert "liaison" in flat, users
        assert "officer" in flat, users


def _flat(text: str) -> str:
    """The text without box lines and white space: wrapped words read whole again."""
    return "".join(c for c in text if not c.isspace() and c not in "│┃┏┓┗┛┡┩└┘━─┳┻╇┴┼╋")


def _render(table: object, width: int = 80) -> str:
    console = Console(width=width, record=True, no_color=True, force_terminal=False)
    console.print(table)
    return console.export_text()


def _link() -> LinkOut:
    at = TimeOut.of(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    return LinkOut(
        partner="USA",
        node_id="usa-node",
        url="https://usa-node.example.mil:8453",
        key_fingerprint="ab" * 32,
        state="quarantined",
        last_error="item 1234567 from USA failed its signature check: refused and quarantined",
        sent_seq=123456789,
        acked_seq=123456700,
        outbound_lag=89,
        received_seq=987654321,
        partner_head_seq=987654400,
        inbound_lag=79,
        last_pull=at,
        last_received=at,
        quarantined=3,
        held=[HeldOut(object_type="coordination_request", items=12)],
        partner_types=None,
        not_understood=[],
    )


def test_federation_status_fits_with_real_numbers() -> None:
    shown = _render(status_table([_link()]))
    _fits(shown)
    for header in ("partner", "state", "out lag", "in lag", "quarantined", "held"):
        assert header in shown, shown
    assert "987654321" not in shown  # the sequence numbers only with --wide
    wide = _render(status_table([_link()], wide=True), width=120)
    for shown_only_wide in ("partner head", "987654321", "123456789"):
        assert shown_only_wide in wide, wide


def test_quarantine_fits_with_a_long_reason() -> None:
    at = TimeOut.of(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    later = TimeOut.of(datetime(2026, 12, 2, 11, 0, tzinfo=UTC))
    entry = QuarantinedOut(
        id=42,
        partner="USA",
        seq=1234567,
        code="id_collision",
        reason={
            "en": "USA sent event item 1234567 for HQ 'usa-jfhq' as its own, but HQ 'usa-jfhq' "
            "here is JPN's (seed): refused, nothing of it applied; the link kept running",
            "ja": "USAが司令部「usa-jfhq」を自国の対象として送信しました",
        },
        at=at,
        resolved=later,
        resolution="checked",
    )
    shown = _render(quarantine_table([entry]))
    _fits(shown)
    flat = _flat(shown)
    assert "thelinkkeptrunning" in flat, shown
    # Codes, sequence numbers and times whole, on one line each.
    for whole in ("id_collision", "1234567", at.z, f"({later.z})"):
        assert whole in shown, shown
