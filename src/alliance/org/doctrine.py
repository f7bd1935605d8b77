"""Which relationship doctrine allows between which kinds of headquarters and units.

The rule is one table, checked by the org desk wherever a relationship is
made (the API and a loaded document alike):

* **COCOM** (combatant command, 戦闘軍指揮権) is a combatant commander's
  authority over the forces *assigned* to the command: only a combatant
  command holds it, and only over a force (a unit) in its own structure. It
  is never a link between headquarters (a subordinate unified command such
  as USFJ is modelled by its place in the structure, not by COCOM).
* **OPCON / TACON** are held by a commanding HQ or unit (not a ministry or a
  staff) over a force (not a ministry, a combatant command or a staff).
* **ADCON** is held by any HQ or unit but a staff, over anything but a ministry.
* **Dual-hat** links a component (or service component, or force HQ) to the
  joint HQ it serves as a component; the component stays under its service.
* **Support** joins forces: neither side is a ministry or a staff.

Staff organizations (e.g. the Joint Staff) advise and hold no command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from alliance.core.errors import InvalidInput
from alliance.core.glossary import term
from alliance.core.i18n import Text

from .models import HqKind, RelKind


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a relationship: an HQ of a kind, or a unit."""

    party: Literal["hq", "unit"]
    ident: str
    hq_kind: HqKind | None = None  # None for a unit

    def label(self) -> Text:
        if self.hq_kind is None:
            return Text(f"unit '{self.ident}'", f"部隊「{self.ident}」")
        kind = self.hq_kind.label
        return Text(f"{kind.en} '{self.ident}'", f"{kind.ja}「{self.ident}」")

    def is_(self, *kinds: HqKind) -> bool:
        return self.hq_kind in kinds


_NEVER_COMMANDED = (HqKind.MINISTRY, HqKind.COMBATANT_COMMAND, HqKind.STAFF)
_COMPONENTS = (HqKind.COMPONENT, HqKind.SERVICE_COMPONENT_COMMAND, HqKind.FORCE_HQ)
_JOINT = (HqKind.SUBORDINATE_UNIFIED_COMMAND, HqKind.JOINT_HQ, HqKind.COMBATANT_COMMAND)


def _refuse(kind: RelKind, side: Side, field: str, why: Text) -> InvalidInput:
    name = kind.label
    what = side.label()
    return InvalidInput(
        Text(
            f"Doctrine does not allow {name.en} with {what.en} as the {field}: {why.en}",
            f"{name.ja}の{'上位' if field == 'superior' else '下位'}に{what.ja}は置けません"
            f"（ドクトリン）：{why.ja}",
        ),
        field=field,
        code="doctrine_relationship",
    )


def check_doctrine(
    kind: RelKind, superior: Side, subordinate: Side, subordinate_chain: tuple[str, ...]
) -> None:
    """Refuse a relationship doctrine does not allow, naming the side at fault.

    ``subordinate_chain`` lists the subordinate's superiors in the structure
    (for COCOM: the forces assigned to a combatant command are in its structure).
    """
    if kind is RelKind.COCOM:
        if not superior.is_(HqKind.COMBATANT_COMMAND):
            raise _refuse(
                kind,
                superior,
                "superior",
                Text(
                    "only a combatant command holds COCOM, over the forces assigned to it.",
                    "戦闘軍指揮権を持つのは統合軍のみで、その配属部隊に対してのみである。",
                ),
            )
        if subordinate.party != "unit" or superior.ident not in subordinate_chain:
            raise _refuse(
                kind,
                subordinate,
                "subordinate",
                Text(
                    "COCOM is over forces assigned to that combatant command (units in its "
                    "own structure); it is never a link between headquarters.",
                    "戦闘軍指揮権は当該統合軍に配属された部隊（その組織内の部隊）に対する権限であり、"
                    "司令部間の関係ではない。",
                ),
            )
    elif kind in (RelKind.OPCON, RelKind.TACON):
        if superior.is_(HqKind.MINISTRY, HqKind.STAFF):
            raise _refuse(
                kind,
                superior,
                "superior",
                Text(
                    f"a {term('hq_kind_ministry').en} or {term('hq_kind_staff').en} "
                    "does not hold operational or tactical control.",
                    "省及び幕僚機関は作戦統制・戦術統制を持たない。",
                ),
            )
        if subordinate.is_(*_NEVER_COMMANDED):
            raise _refuse(
                kind,
                subordinate,
                "subordinate",
                Text(
                    "a ministry, a combatant command or a staff is never placed under "
                    "operational or tactical control.",
                    "省、統合軍及び幕僚機関は作戦統制・戦術統制の下に置かれない。",
                ),
            )
    elif kind is RelKind.ADCON:
        if superior.is_(HqKind.STAFF):
            raise _refuse(
                kind,
                superior,
                "superior",
                Text("a staff holds no command authority.", "幕僚機関は指揮権を持たない。"),
            )
        if subordinate.is_(HqKind.MINISTRY):
            raise _refuse(
                kind,
                subordinate,
                "subordinate",
                Text(
                    "a ministry is never under administrative control.",
                    "省は管理統制の下に置かれない。",
                ),
            )
    elif kind is RelKind.DUAL_HAT:
        if not superior.is_(*_JOINT):
            raise _refuse(
                kind,
                superior,
                "superior",
                Text(
                    "a component serves a joint headquarters (a combatant command, a "
                    "subordinate unified command or a joint HQ).",
                    "構成部隊が仕えるのは統合司令部（統合軍、準統合軍又は統合司令部）である。",
                ),
            )
        if not subordinate.is_(*_COMPONENTS):
            raise _refuse(
                kind,
                subordinate,
                "subordinate",
                Text(
                    "only a component, service component or force headquarters serves "
                    "a joint headquarters under a dual-hatted commander.",
                    "兼務の指揮官の下で統合司令部に仕えるのは構成部隊、軍種構成部隊"
                    "又は部隊司令部のみである。",
                ),
            )
    else:  # support relationships join forces
        for side, field in ((superior, "superior"), (subordinate, "subordinate")):
            if side.is_(HqKind.MINISTRY, HqKind.STAFF):
                raise _refuse(
                    kind,
                    side,
                    field,
                    Text(
                        "support relationships join forces; a ministry or a staff is not one.",
                        "支援関係は部隊間のものであり、省及び幕僚機関は部隊ではない。",
                    ),
                )


__all__ = ["Side", "check_doctrine"]
