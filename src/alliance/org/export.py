"""The org desk's export: everything of it released to a nation, as an
``alliance-org/1`` document (the format :mod:`alliance.org.document` defines), in
YAML or JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import yaml
from sqlalchemy import select

from alliance.core.dtg import iso
from alliance.core.markings import check_nation
from alliance.store.context import DeskContext
from alliance.store.owned import released_to
from alliance.store.schema import Owned

from .document import FORMAT
from .tables import CommandRelationshipRow, CounterpartRow, HqRow, NationRow, UnitRow


def _m(row: Owned) -> dict[str, Any]:
    m = row.marking
    out: dict[str, Any] = {"releasable_to": m.nations}
    if m.tlp:
        out["tlp"] = m.tlp.value
    return out


def _t(value: datetime | None) -> str | None:
    return iso(value) if value else None


def export_document(ctx: DeskContext, nation: str) -> dict[str, Any]:
    """Everything of the org desk released to ``nation``, as an ``alliance-org/1`` document."""
    nation = check_nation(nation)
    with ctx.db.read() as s:

        def rows(model: type[Owned]) -> list[Any]:
            return list(s.scalars(released_to(select(model), model, nation).order_by(model.id)))

        hqs = rows(HqRow)
        return {
            "format": FORMAT,
            "title_en": f"Command structures released to {nation}",
            "title_ja": f"{nation}へ提供可の組織構造",
            "nations": [
                {"code": n.id, "name_en": n.name_en, "name_ja": n.name_ja, "marking": _m(n)}
                for n in rows(NationRow)
            ],
            "hqs": [
                {
                    "id": h.id,
                    "nation": h.owner,
                    "parent": h.parent_id,
                    "kind": h.kind,
                    "name_en": h.name_en,
                    "name_ja": h.name_ja,
                    "short_en": h.short_en,
                    "short_ja": h.short_ja,
                    "location_en": h.location_en,
                    "location_ja": h.location_ja,
                    "note_en": h.note_en,
                    "note_ja": h.note_ja,
                    "operational_authority": h.operational_authority,
                    "marking": _m(h),
                }
                for h in hqs
            ],
            "units": [
                {
                    "id": u.id,
                    "hq": u.hq_id,
                    "name_en": u.name_en,
                    "name_ja": u.name_ja,
                    "sidc": u.sidc,
                    "domain": u.domain,
                    "echelon": u.echelon,
                    "home_en": u.home_en,
                    "home_ja": u.home_ja,
                    "marking": _m(u),
                }
                for u in rows(UnitRow)
            ],
            "relationships": [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "superior": f"{r.superior_kind}:{r.superior_id}",
                    "subordinate": f"{r.subordinate_kind}:{r.subordinate_id}",
                    "valid_from": _t(r.valid_from),
                    "valid_to": _t(r.valid_to),
                    "caveats_en": r.caveats_en,
                    "caveats_ja": r.caveats_ja,
                    "marking": _m(r),
                }
                for r in rows(CommandRelationshipRow)
                if r.state == "active"
            ],
            "counterparts": [
                {
                    "id": c.id,
                    "hq": c.hq_id,
                    "partner": c.partner_hq_id,
                    "note_en": c.note_en,
                    "note_ja": c.note_ja,
                    "marking": _m(c),
                }
                for c in rows(CounterpartRow)
            ],
        }


def dump(document: dict[str, Any], fmt: Literal["yaml", "json"]) -> str:
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


__all__ = ["dump", "export_document"]
