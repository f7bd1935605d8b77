"""What a model must hold before it is solved, each problem named in both
languages with the inputs at fault: ids used twice or unknown, an item no line
or supplier can provide, a cycle in the bill of materials, a line making
what it cannot, a date outside the horizon.

Shape (a negative rate, a missing field) is checked as the model is read
(:func:`alliance.industry.model.parse_model`); what only the solver can tell
(requirements no capacity can meet) is explained from its infeasibility
analysis (:mod:`alliance.industry.explain`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text

from .model import Calendar, Model, _Identified, model_error


def check(model: Model) -> None:
    """Raise one error listing every problem found, the first as its message."""
    problems = list(_problems(model))
    if problems:
        first = problems[0]
        raise InvalidInput(first.message, field=first.field, code="invalid_model", errors=problems)


def _problems(model: Model) -> list[InvalidInput]:
    out: list[InvalidInput] = []

    def bad(where: str, en: str, ja: str) -> None:
        out.append(model_error(Text(en, ja), where))

    groups: tuple[tuple[str, Sequence[_Identified]], ...] = (
        ("items", model.items),
        ("lines", model.lines),
        ("suppliers", model.suppliers),
        ("expansions", model.expansions),
        ("claimants", model.claimants),
        ("sources", model.sources),
    )
    for name, rows in groups:
        seen: set[str] = set()
        for i, row in enumerate(rows):
            if row.id in seen:
                bad(
                    f"{name}.{i}.id",
                    f"{name}: '{row.id}' is used twice",
                    f"{name}: 「{row.id}」が重複しています",
                )
            seen.add(row.id)
    items = {i.id: i for i in model.items}
    lines = {x.id: x for x in model.lines}
    suppliers = {x.id: x for x in model.suppliers}
    claimants = {x.id: x for x in model.claimants}
    sources = {x.id for x in model.sources}
    cal = Calendar.of(model.horizon)

    def item(where: str, ident: str) -> bool:
        if ident not in items:
            bad(where, f"{where}: no item '{ident}'", f"{where}: 品目「{ident}」がありません")
            return False
        return True

    def inside(where: str, when: str) -> None:
        if cal.last(when) < 0 or cal.first(when) >= cal.periods:
            bad(
                where,
                f"{where}: {when} is outside the horizon ({cal.label(0)} to {cal.label(cal.periods - 1)})",
                f"{where}: {when} は計画期間（{cal.label(0)}〜{cal.label(cal.periods - 1)}）の外です",
            )

    children: dict[str, list[str]] = defaultdict(list)
    for i, b in enumerate(model.bom):
        ok = item(f"bom.{i}.parent", b.parent) & item(f"bom.{i}.child", b.child)
        if ok:
            children[b.parent].append(b.child)
            if b.parent == b.child:
                bad(
                    f"bom.{i}",
                    f"bom.{i}: '{b.parent}' is made of itself",
                    f"bom.{i}: 「{b.parent}」が自分自身から作られています",
                )
    cycle = _cycle(children)
    if cycle and len(cycle) > 2:
        path = " → ".join(cycle)
        bad(
            "bom",
            f"bom: the bill of materials has a cycle: {path}",
            f"bom: 部品表が循環しています: {path}",
        )

    made: dict[str, list[str]] = defaultdict(list)
    for i, line in enumerate(model.lines):
        for j, ident in enumerate(line.items):
            if item(f"lines.{i}.items.{j}", ident):
                made[ident].append(line.id)
        for ident in line.unit_cost:
            if ident not in line.items:
                bad(
                    f"lines.{i}.unit_cost.{ident}",
                    f"lines.{i}.unit_cost: line '{line.id}' does not make '{ident}'",
                    f"lines.{i}.unit_cost: ライン「{line.id}」は「{ident}」を製造しません",
                )
        for k, s in enumerate(line.outages):
            if cal.first(s.end) < cal.first(s.start):
                bad(
                    f"lines.{i}.outages.{k}.end",
                    f"lines.{i}.outages.{k}: ends ({s.end}) before it starts ({s.start})",
                    f"lines.{i}.outages.{k}: 終了（{s.end}）が開始（{s.start}）より前です",
                )
        _sources(line.sources, sources, f"lines.{i}.sources", bad)
    for i, sup in enumerate(model.suppliers):
        if item(f"suppliers.{i}.item", sup.item):
            made[sup.item].append(sup.id)
        _sources(sup.sources, sources, f"suppliers.{i}.sources", bad)
    for i, e in enumerate(model.expansions):
        if e.target not in lines and e.target not in suppliers:
            bad(
                f"expansions.{i}.target",
                f"expansions.{i}: no line or supplier '{e.target}' to expand",
                f"expansions.{i}: 拡張対象のラインまたは供給元「{e.target}」がありません",
            )
        if e.earliest is not None:
            inside(f"expansions.{i}.earliest", e.earliest)
        _sources(e.sources, sources, f"expansions.{i}.sources", bad)

    # Every item something needs has a source: a line that makes it or a supplier.
    needed: dict[str, str] = {}
    for i, b in enumerate(model.bom):
        needed.setdefault(b.child, f"bom.{i}")
    for i, r in enumerate(model.requirements):
        needed.setdefault(r.item, f"requirements.{i}")
    stocked = {s.item for s in model.stocks if s.quantity > 0}
    for ident, where in needed.items():
        if ident in items and not made.get(ident) and ident not in stocked:
            kind = items[ident].kind
            en_kind, ja_kind = ("component", "部品") if kind == "component" else ("product", "製品")
            bad(
                where,
                f"{where}: {en_kind} '{ident}' ({items[ident].name_en}) has no supplier and no line "
                "making it, and no stock",
                f"{where}: {ja_kind}「{ident}」（{items[ident].name_ja}）には供給元も製造ラインも"
                "在庫もありません",
            )
    for i, c in enumerate(model.claimants):
        for k, ch in enumerate(c.changes):
            inside(f"claimants.{i}.changes.{k}.start", ch.start)
        _sources(c.sources, sources, f"claimants.{i}.sources", bad)
    for i, r in enumerate(model.requirements):
        where = f"requirements.{i}"
        if r.claimant not in claimants:
            bad(
                f"{where}.claimant",
                f"{where}: no claimant '{r.claimant}'",
                f"{where}: 需要者「{r.claimant}」がありません",
            )
        item(f"{where}.item", r.item)
        if cal.last(r.due) < 0 or cal.last(r.due) >= cal.periods:
            inside(f"{where}.due", r.due)
    for i, stock in enumerate(model.stocks):
        item(f"stocks.{i}.item", stock.item)
    return out


def _sources(
    used: list[str], known: set[str], where: str, bad: Callable[[str, str, str], None]
) -> None:
    for j, ident in enumerate(used):
        if ident not in known:
            bad(
                f"{where}.{j}",
                f"{where}: no source '{ident}'",
                f"{where}: 出典「{ident}」がありません",
            )


def _cycle(children: dict[str, list[str]]) -> list[str]:
    """One cycle of the graph as a path that returns to its start, or []."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for child in children.get(node, []):
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if child not in state:
                found = visit(child)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(children):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []
