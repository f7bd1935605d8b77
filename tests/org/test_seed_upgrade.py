"""A node seeded with the seed shipped before issue 11 is brought to the
current structure by loading the current seed: every change is a ledger
event, nothing seeded is deleted, and loading again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from alliance.node import Node
from alliance.org import hq_chain, load_document, packaged_seed, parse_document, seed
from alliance.org.tables import CommandRelationshipRow, HqRow, UnitRow
from alliance.store import ledger

NodeFactory = Callable[..., Node]
OLD_SEED = Path(__file__).with_name("seed_before_issue11.yaml")


def _load(node: Node, raw: bytes) -> dict[str, object]:
    doc, digest = parse_document(raw)
    return load_document(node.ctx, doc, digest).as_dict()


def _ids(node: Node, model: type[HqRow] | type[UnitRow] | type[CommandRelationshipRow]) -> set[str]:
    with node.ctx.db.read() as s:
        return {row.id for row in s.query(model)}


def test_a_node_seeded_with_the_old_seed_is_brought_to_the_new_structure(
    make_node: NodeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = make_node("JPN", hosted=["USA"], seed=False)
    # The node was seeded by the code of its day, before the doctrine rule.
    with monkeypatch.context() as m:
        m.setattr(seed, "check_doctrine", lambda *_args: None)
        _load(node, OLD_SEED.read_bytes())
    old = {m: _ids(node, m) for m in (HqRow, UnitRow, CommandRelationshipRow)}
    events = ledger.count(node.ctx.db)

    report = _load(node, packaged_seed())
    assert report["skipped"] == []
    # Nothing seeded earlier is lost.
    for model, ids in old.items():
        assert ids <= _ids(node, model), model

    with node.ctx.db.read() as s:
        usfj = s.get(HqRow, "usa-jfhq")
        assert usfj is not None
        assert (usfj.kind, usfj.parent_id) == ("subordinate_unified_command", "usa-indopacom")
        assert usfj.name_en == "U.S. Forces Japan"
        usarj = s.get(HqRow, "usa-usarj")
        assert usarj is not None
        assert usarj.parent_id == "usa-usarpac"
        # The COCOM link between HQs is withdrawn, with the reason, not deleted.
        cocom = s.get(CommandRelationshipRow, "usa-rel-indopacom-jfhq")
        assert cocom is not None
        assert cocom.state == "revoked"
        assert "Withdrawn" in cocom.caveats_en
        assert "撤回" in cocom.caveats_ja
        # The exercise assumption loses its real-world date and says what it is.
        opcon = s.get(CommandRelationshipRow, "usa-rel-jfhq-usarj")
        assert opcon is not None
        assert opcon.state == "active"
        assert opcon.valid_from.year != 2024
        assert "Exercise assumption" in opcon.caveats_en
        # A disbanded unit stays on record, renamed; units get their symbols right.
        flotilla = s.get(UnitRow, "jpn-escort-flotilla-1")
        assert flotilla is not None
        assert flotilla.name_ja == "第1護衛隊群（2026年3月廃止）"
        mlr = s.get(UnitRow, "usa-12mlr")
        assert mlr is not None
        assert (mlr.sidc, mlr.hq_id) == ("SFGPUCIN---G---", "usa-iiimef")

    kinds = [
        e.kind for e in ledger.events_of(node.ctx.db, "relationship", "usa-rel-indopacom-jfhq")
    ]
    assert kinds[-1] == "org.relationship.retired"
    unit_kinds = [e.kind for e in ledger.events_of(node.ctx.db, "unit", "jpn-escort-flotilla-1")]
    assert unit_kinds[-1] == "org.unit.retired"
    assert ledger.count(node.ctx.db) > events

    # Loading the same seed again changes nothing and records nothing.
    after = ledger.count(node.ctx.db)
    again = _load(node, packaged_seed())
    assert (again["created"], again["updated"]) == (0, 0)
    assert ledger.count(node.ctx.db) == after


def test_a_fresh_node_loads_the_seed_with_the_exercise_assumption_in_force(
    make_node: NodeFactory,
) -> None:
    node = make_node("JPN", hosted=["USA"])
    with node.ctx.db.read() as s:
        opcon = s.get(CommandRelationshipRow, "usa-rel-jfhq-usarj")
        assert opcon is not None
        assert opcon.state == "active"
        assert s.get(CommandRelationshipRow, "usa-rel-indopacom-jfhq") is None
    # USFJ's chain reaches USARJ only through the (fictional) OPCON.
    with node.ctx.db.read() as s:
        assert "usa-jfhq" in hq_chain(s, "usa-usarj")
        assert "usa-jfhq" not in hq_chain(s, "usa-c7f")
