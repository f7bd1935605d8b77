"""``alliance ledger verify`` catches a ledger row edited directly in the database,
a table row that no longer says what the ledger says, and an object whose
owner is not the one its ledger events name."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from alliance.access import UserIn
from alliance.core.authority import Role
from alliance.node import Node
from alliance.org.tables import HqRow
from alliance.store.ledger import ledger_status
from alliance.store.owned import record, touch
from alliance.store.writer import Tx
from tests.conftest import NodeFactory

from .conftest import Cli, one_line


class RawLedger:
    """The ledger table reached with the database's own driver, behind Alliance's back."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self.target = parsed.database if self.sqlite else url.replace("+psycopg", "")

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        if self.sqlite:
            conn: Any = sqlite3.connect(str(self.target))
        else:
            conn = psycopg.connect(str(self.target))
        try:
            yield conn
            conn.commit()
        finally:
            conn.close()

    def _sql(self, sql: str) -> str:
        return sql if self.sqlite else sql.replace("?", "%s")

    def row(self, seq: int) -> tuple[str, bytes, str, bytes]:
        with self._conn() as conn:
            event_id, body, rel, sig = conn.execute(
                self._sql("SELECT event_id, body, rel, sig FROM ledger WHERE seq = ?"), (seq,)
            ).fetchone()
        return event_id, bytes(body), rel, bytes(sig)

    def count(self) -> int:
        with self._conn() as conn:
            return int(conn.execute("SELECT count(*) FROM ledger").fetchone()[0])

    def set(self, seq: int, column: str, value: Any) -> None:
        assert column in {"body", "rel", "sig"}
        with self._conn() as conn:
            conn.execute(self._sql(f"UPDATE ledger SET {column} = ? WHERE seq = ?"), (value, seq))  # noqa: S608

    def execute(self, sql: str, *params: Any) -> None:
        with self._conn() as conn:
            conn.execute(self._sql(sql), params)


def _busy_node(make_node: NodeFactory) -> Node:
    node = make_node("JPN", hosted=["USA"])
    for i in range(6):
        node.users.add(
            UserIn(name=f"officer {i}", nation="JPN", hq_id="jpn-jjoc", role=Role.STAFF_OFFICER)
        )
    return node


def _broken_at(result: Any, seq: int, event_id: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    said = one_line(result.stderr)
    assert re.search(rf"#{seq}\D", said), said
    assert event_id in said, said
    return said


def test_ledger_verify_names_the_first_tampered_event(cli: Cli, make_node: NodeFactory) -> None:
    node = _busy_node(make_node)
    home = node.settings.home
    raw = RawLedger(node.settings.database_url)
    total = raw.count()
    assert total >= 38

    k = total // 2
    id_k, body_k, _rel, _sig = raw.row(k)
    id_k1, _body, rel_k1, _sig = raw.row(k + 1)
    id_k2, _body, _rel, sig_k2 = raw.row(k + 2)

    # Three rows edited in the middle: a body, a marking column, a signature.
    forged = body_k.replace(b'"JPN"', b'"USA"', 1)
    assert forged != body_k
    raw.set(k, "body", forged)
    raw.set(k + 1, "rel", "JPN" if rel_k1 != "JPN" else "JPN,USA")
    raw.set(k + 2, "sig", bytes([sig_k2[0] ^ 0xFF]) + sig_k2[1:])
    # The first one is named, with how far the ledger verified before it ...
    said = _broken_at(cli("ledger", "verify", home=home), k, id_k)
    assert "hash" in said
    # The node's health view shows this verification as the last one.
    last = ledger_status(node.db).last_verify
    assert last is not None
    assert (last.ok, last.first_bad_seq, last.checked) == (False, k, k - 1)
    assert f"{k - 1} events before it verified" in said
    # ... and each following one once the earlier is put back.
    raw.set(k, "body", body_k)
    said = _broken_at(cli("ledger", "verify", home=home), k + 1, id_k1)
    assert "column" in said
    raw.set(k + 1, "rel", rel_k1)
    said = _broken_at(cli("ledger", "verify", home=home, env={"ALLIANCE_LANG": "ja"}), k + 2, id_k2)
    assert "署名" in said
    raw.set(k + 2, "sig", sig_k2)

    # With the rows put back the ledger verifies again; a projected row changed behind
    # its back is then reported as drift, named by object.
    raw.execute("UPDATE hqs SET name_en = ? WHERE id = ?", "Edited in the database", "jpn-jjoc")
    drift = cli("ledger", "verify", home=home)
    assert f"Ledger OK: {total} events verified" in one_line(drift.stdout)
    last = ledger_status(node.db).last_verify
    assert last is not None
    assert (last.ok, last.checked) == (True, total)
    assert drift.returncode == 1
    assert "hq:jpn-jjoc" in one_line(drift.stderr)


def _owner_drift(result: Any, ref: str, *, ja: bool = False) -> str:
    """The drift report of ``ledger verify`` for ``ref``: the ledger itself
    verifies, the state does not."""
    ledger_ok, drift = ("台帳は正常です", "状態の不一致") if ja else ("Ledger OK", "State DRIFT")
    assert ledger_ok in one_line(result.stdout), result.stdout + result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert drift in one_line(result.stderr), result.stderr
    (line,) = [ln for ln in result.stderr.splitlines() if ref in ln]
    return " ".join(line.split())


def test_ledger_verify_names_both_owners_of_a_row_whose_owner_was_edited(
    cli: Cli, make_node: NodeFactory
) -> None:
    node = make_node("USA")
    raw = RawLedger(node.settings.database_url)
    clean = cli("ledger", "verify", home=node.settings.home)
    assert clean.returncode == 0, clean.stderr
    assert "State OK" in one_line(clean.stdout)

    # Behind the ledger's back, a USA HQ is made out to be JPN's.
    raw.execute("UPDATE hqs SET owner = ? WHERE id = ?", "JPN", "usa-5af")
    line = _owner_drift(cli("ledger", "verify", home=node.settings.home), "hq:usa-5af")
    assert "the row's owner is JPN, but its ledger events name USA" in line, line
    said = _owner_drift(
        cli("ledger", "verify", home=node.settings.home, env={"ALLIANCE_LANG": "ja"}),
        "hq:usa-5af",
        ja=True,
    )
    assert "行の所有国はJPNですが、台帳のイベントはUSAを示しています" in said, said


def test_ledger_verify_catches_a_ledger_that_changed_an_objects_owner(
    cli: Cli, make_node: NodeFactory
) -> None:
    """What a receiver that let a partner take over our HQ left behind: a correctly
    signed ledger whose events about one HQ name two owners, and a row that
    matches the last of them. Every event verifies; the state check does not."""
    node = make_node("USA")

    def takeover(tx: Tx) -> None:
        row = tx.session.get(HqRow, "usa-5af")
        assert row is not None
        row.owner = "JPN"
        row.origin = "replica"
        touch(row, tx.now)
        tx.session.flush()
        record(tx, row, "hq", "federation.replica.applied", None, None)

    node.writer.run(takeover)
    result = cli("ledger", "verify", home=node.settings.home)
    line = _owner_drift(result, "hq:usa-5af")
    assert "name more than one owner (USA, JPN)" in line, line
    assert "differs from its last event" not in line, line
