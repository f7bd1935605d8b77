"""Command relationships follow doctrine: the org desk refuses a relationship
between kinds of HQ or unit that doctrine does not allow, with a bilingual
error naming the side at fault, and stores nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from alliance.core.authority import Actor, Role
from alliance.core.errors import InvalidInput
from alliance.node import Node
from alliance.org import Party, RelationshipIn, RelKind, load_document, parse_document
from alliance.org.tables import CommandRelationshipRow
from alliance.store import ledger

NodeFactory = Callable[..., Node]


def _commander(nation: str, hq: str) -> Actor:
    return Actor(f"{hq}-cdr", f"{hq} commander", nation, hq, Role.COMMANDER)


def _rel(kind: str, superior: str, subordinate: str) -> RelationshipIn:
    sup_kind, sup_id = superior.split(":")
    sub_kind, sub_id = subordinate.split(":")
    return RelationshipIn(
        kind=RelKind(kind),
        superior=Party(kind=sup_kind, id=sup_id),
        subordinate=Party(kind=sub_kind, id=sub_id),
        valid_from="2026-12-01T00:00:00Z",
        marking={"releasable_to": ["JPN", "USA"]},
    )


def _relationships(node: Node) -> int:
    with node.ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(CommandRelationshipRow)) or 0)


REFUSED = [
    # (kind, superior, subordinate, acting HQ, field at fault)
    # COCOM is not a link between headquarters (the seed's old INDOPACOM→JFHQ entry).
    ("cocom", "hq:usa-indopacom", "hq:usa-jfhq", "usa-indopacom", "subordinate"),
    # Only a combatant command holds COCOM.
    ("cocom", "hq:usa-jfhq", "unit:usa-18wg", "usa-indopacom", "superior"),
    ("cocom", "hq:jpn-jjoc", "unit:jpn-ardb", "jpn-jjoc", "superior"),
    # A staff holds no command; a ministry is never under OPCON.
    ("opcon", "hq:jpn-js", "hq:jpn-gcc", "jpn-mod", "superior"),
    ("tacon", "hq:jpn-jjoc", "hq:jpn-js", "jpn-mod", "subordinate"),
    # A dual-hat link joins a component to the joint HQ it serves.
    ("dual_hat", "hq:usa-usarj", "hq:usa-5af", "usa-indopacom", "superior"),
    ("dual_hat", "hq:usa-jfhq", "unit:usa-18wg", "usa-indopacom", "subordinate"),
    # Support joins forces; a ministry is not one.
    ("direct_support", "hq:usa-dod", "unit:usa-18wg", "usa-indopacom", "superior"),
]


@pytest.mark.parametrize(("kind", "superior", "subordinate", "hq", "field"), REFUSED)
def test_a_relationship_doctrine_does_not_allow_is_refused_and_nothing_is_stored(
    make_node: NodeFactory, kind: str, superior: str, subordinate: str, hq: str, field: str
) -> None:
    node = make_node("JPN", hosted=["USA"])
    nation = hq.split("-")[0].upper()
    before, events = _relationships(node), ledger.count(node.ctx.db)
    with pytest.raises(InvalidInput) as err:
        node.org.create_relationship(_commander(nation, hq), _rel(kind, superior, subordinate))
    assert err.value.code == "doctrine_relationship"
    assert err.value.field == field
    assert "octrine" in err.value.message.en
    assert "ドクトリン" in err.value.message.ja
    assert (_relationships(node), ledger.count(node.ctx.db)) == (before, events)


def test_cocom_is_a_combatant_commands_authority_over_its_assigned_forces(
    make_node: NodeFactory,
) -> None:
    node = make_node("JPN", hosted=["USA"])
    made = node.org.create_relationship(
        _commander("USA", "usa-indopacom"), _rel("cocom", "hq:usa-indopacom", "unit:usa-18wg")
    )
    assert made.kind is RelKind.COCOM
    assert made.kind_name == {
        "en": "combatant command (command authority) (COCOM)",
        "ja": "戦闘軍指揮権（COCOM）",
    }


def test_a_dual_hat_link_never_crosses_nations(make_node: NodeFactory) -> None:
    node = make_node("JPN", hosted=["USA"])
    with pytest.raises(InvalidInput) as err:
        node.org.create_relationship(
            _commander("JPN", "jpn-jjoc"), _rel("dual_hat", "hq:usa-jfhq", "hq:jpn-gcc")
        )
    assert err.value.code == "command_crosses_nations"


DOCUMENT = """
format: alliance-org/1
marking: {releasable_to: [JPN, USA]}
relationships:
  - id: usa-rel-x
    kind: cocom
    superior: hq:usa-indopacom
    subordinate: hq:usa-jfhq
    valid_from: "2024-07-28T00:00:00Z"
"""


def test_a_loaded_document_is_held_to_the_same_doctrine(make_node: NodeFactory) -> None:
    node = make_node("JPN", hosted=["USA"])
    before = ledger.count(node.ctx.db)
    doc, digest = parse_document(DOCUMENT)
    with pytest.raises(InvalidInput) as err:
        load_document(node.ctx, doc, digest)
    assert err.value.code == "doctrine_relationship"
    assert err.value.field == "relationships.0.subordinate"
    assert err.value.message.ja.startswith("relationships.0: ")
    assert ledger.count(node.ctx.db) == before
