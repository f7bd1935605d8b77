"""``alliance ledger``: the signed ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from alliance.cli.common import HomeOpt, err, fail, out, say
from alliance.cli.common import settings as settings_for
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text

ledger_app = typer.Typer(help="The signed ledger / 署名付き台帳", no_args_is_help=True)


@ledger_app.command("verify")
def ledger_verify(
    home: HomeOpt = None,
    state: Annotated[
        bool,
        typer.Option(help="Also check every table against the ledger / 表と台帳の一致も検証する"),
    ] = True,
) -> None:
    """Verify every event and the state built from them. / 全イベントと、それらから構築した状態を検証する。"""
    from alliance.core.keys import NodeKey
    from alliance.desks import object_types
    from alliance.store import Database
    from alliance.store.ledger import remember_verify, verify_database
    from alliance.store.projection import check_state
    from alliance.store.upgrade import head_revision, pending

    settings = settings_for(home)
    try:
        key = NodeKey.load(settings.key_file, settings.passphrase)
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    db = Database(settings.database_url)
    try:
        report = verify_database(db, key.public_raw)
        # Shown by the console's health pane (GET /ledger/status) as the last verification.
        remember_verify(db, report, datetime.now(UTC))
        behind = pending(db) if state and report.ok else None
        if behind is not None:
            raise fail(
                Text(
                    f"Ledger OK ({report.checked} events), but the database was written by an "
                    f"older version (schema {behind}, this version {head_revision()}): run "
                    "'alliance upgrade' (or start the node) before checking its state.",
                    f"台帳は正常（{report.checked}件）ですが、DBは旧版で書かれています（スキーマ{behind}、"
                    f"本版{head_revision()}）。状態の検証の前に「alliance upgrade」を実行するか"
                    "ノードを起動してください。",
                ),
                2,
            )
        drift = check_state(db, object_types()) if state and report.ok else None
    finally:
        db.dispose()
    if not report.ok:
        p = report.problem
        assert p is not None
        raise fail(
            Text(
                f"Ledger BROKEN at event #{p.seq} ({p.event_id}): {p.reason.en}. "
                f"{report.checked} events before it verified.",
                f"台帳が破損: イベント#{p.seq}（{p.event_id}）: {p.reason.ja}。それ以前の{report.checked}件は正常。",
            ),
            1,
        )
    out.print(
        say(
            Text(
                f"Ledger OK: {report.checked} events verified; head {report.head_hash[:16]}.",
                f"台帳は正常です: {report.checked}件を検証。先頭 {report.head_hash[:16]}。",
            )
        )
    )
    if drift is None:
        return
    if drift.ok:
        out.print(
            say(
                Text(
                    f"State OK: {drift.objects} objects match the ledger.",
                    f"状態は正常です: {drift.objects}件が台帳と一致。",
                )
            )
        )
        return
    for d in drift.drifts[:50]:
        err.print(f"  {d.object_type}:{d.object_id}  {say(d.reason)}")
    raise fail(
        Text(
            f"State DRIFT: {len(drift.drifts)} problem(s): tables that differ from the ledger "
            "(changed outside Alliance) or an object whose owner does not match its ledger events.",
            f"状態の不一致: {len(drift.drifts)}件。台帳と異なる表（Alliance外で変更）"
            "または台帳のイベントと所有国が一致しない対象があります。",
        ),
        1,
    )
