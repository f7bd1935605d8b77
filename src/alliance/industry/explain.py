"""An infeasible model explained from HiGHS's irreducible infeasible subset.

The IIS is the smallest set of rows and bounds that cannot hold together;
each is tagged with the input it comes from, so the explanation names the
firm requirements that cannot be met and the capacities, stocks and gates
that limit them — never a solver trace.
"""

from __future__ import annotations

from collections import defaultdict

import highspy
import numpy as np

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text

from .program import Built
from .solver import Infeasible


def explain_infeasible(h: highspy.Highs, built: Built) -> InvalidInput:
    p = built.program
    cal = built.cal
    if p.integer:  # the analysis is of the linear relaxation
        idx = np.array(p.integer, dtype=np.int32)
        h.changeColsIntegrality(
            len(idx), idx, np.array([highspy.HighsVarType.kContinuous] * len(idx))
        )
    h.setOptionValue("iis_strategy", 2)
    h.setOptionValue("time_limit", 60.0)
    _, iis = h.getIis()
    rows = [p.row_tag[r] for r in iis.row_index_ if r < len(p.row_tag)]
    cols = [p.col_tag[c] for c in iis.col_index_]

    firm: dict[str, int] = {}  # "claimant/item" -> latest period named
    for kind, key, t in cols:
        if kind == "owed":
            firm[key] = max(firm.get(key, -1), t)
    limits: dict[str, list[int]] = defaultdict(list)
    for kind, key, t in rows:
        if kind in ("line", "supplier"):
            limits[f"{kind}:{key}"].append(t)
    gated = sorted(
        {key.split("/")[0] for kind, key, _ in cols if kind == "deliver"} & set(built.held)
    )
    stocks = sorted({key for kind, key, t in rows if kind == "balance" and t == 0} & built.stocked)

    names = built.names
    req_en: list[str] = []
    req_ja: list[str] = []
    fields: list[str] = []
    for key, t in sorted(firm.items()):
        k, i = key.split("/", 1)
        ns = built.requirement_rows.get((k, i), [])
        fields.extend(f"requirements.{n}" for n in ns)
        refs = ", ".join(f"requirements.{n}" for n in ns)
        req_en.append(f"{names[k][0]}'s firm {names[i][0]} due by {cal.label(t)} [{refs}]")
        req_ja.append(f"{names[k][1]}の{names[i][1]}（{cal.label(t)}までの確定分）[{refs}]")
    lim_en, lim_ja = [], []
    for what, ts in sorted(limits.items()):
        kind, ident = what.split(":", 1)
        span = f"{cal.label(min(ts))}–{cal.label(max(ts))}"
        en, ja = names[ident]
        ref = built.where[ident]
        lim_en.append(f"the {'line' if kind == 'line' else 'supplier'} {en} ({span}) [{ref}]")
        lim_ja.append(f"{'ライン' if kind == 'line' else '供給元'}「{ja}」（{span}）[{ref}]")
    for k in gated:
        lim_en.append(f"{built.held[k].en} [{built.where[k]}.transfer]")
        lim_ja.append(f"{built.held[k].ja} [{built.where[k]}.transfer]")
    if stocks:
        lim_en.append("the starting stock of " + ", ".join(names[s][0] for s in stocks))
        lim_ja.append("期首在庫（" + "、".join(names[s][1] for s in stocks) + "）")
    if not req_en:
        return Infeasible(
            Text(
                "No plan satisfies the model's constraints; check the firm requirements and the "
                "capacities.",
                "モデルの制約をすべて満たす計画はありません。確定要求と能力を確認してください。",
            ),
            field="requirements",
        )
    en = (
        "No plan can meet "
        + "; ".join(req_en)
        + ". What limits it: "
        + ("; ".join(lim_en) if lim_en else "the lead times from the horizon's start")
        + ". Make these requirements not firm, move them later, or add capacity."
    )
    ja = (
        "次の要求を満たす計画はありません: "
        + "、".join(req_ja)
        + "。制約となっているもの: "
        + ("、".join(lim_ja) if lim_ja else "計画期間の開始からのリードタイム")
        + "。確定を外すか、期日を遅らせるか、能力を追加してください。"
    )
    return Infeasible(Text(en, ja), field=fields[0] if fields else "requirements")
