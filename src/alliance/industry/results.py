"""A solved program read back as a :class:`~alliance.industry.plan.Plan`: the
series per line, supplier and claimant, the investments chosen, each
claimant's deliveries, and the bottlenecks in words, in both languages."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from alliance.core.i18n import Text
from alliance.core.models import Bilingual

from .model import Model
from .plan import Bottleneck, ClaimantResult, Investment, Plan, Series
from .program import Built


def plan_of(
    model: Model,
    built: Built,
    sol: np.ndarray,
    duals: np.ndarray,
    measure: str,
    shortfall: float,
    cost: float,
    gap: float,
    status: str,
    options: dict[str, float | int | str],
    elapsed: float,
    solver: str,
) -> Plan:
    cal, T = built.cal, built.cal.periods
    lead = {i.id: i.lead_time for i in model.items}

    def values(cols: list[int]) -> list[float]:
        return [_clean(sol[c]) for c in cols]

    production = [Series(key=f"{ln}/{i}", values=values(c)) for (ln, i), c in built.x.items()]
    completions = []
    for (ln, i), cols in built.x.items():
        done = [0.0] * T
        for t in range(T - lead[i]):
            done[t + lead[i]] = _clean(sol[cols[t]])
        completions.append(Series(key=f"{ln}/{i}", values=done))
    supply = [Series(key=s, values=values(c)) for s, c in built.y.items()]
    deliveries = [Series(key=f"{k}/{i}", values=values(c)) for (k, i), c in built.a.items()]
    requirements = [Series(key=f"{k}/{i}", values=v) for (k, i), v in built.due.items()]
    backlog = [Series(key=f"{k}/{i}", values=values(c)) for (k, i), c in built.b.items()]

    added_at: dict[str, list[float]] = defaultdict(lambda: [0.0] * T)
    investments = []
    expansions = {e.id: e for e in model.expansions}
    for e_id, cols_e in built.u.items():
        e = expansions[e_id]
        on = [t for t, c in enumerate(cols_e) if c is not None and sol[c] > 0.5]
        if not on:
            continue
        online = on[0]
        for t in on:
            added_at[e.target][t] += e.added_rate_per_year / cal.per_year
        investments.append(
            Investment(
                expansion=e.id,
                target=e.target,
                nation=e.nation,
                decided=cal.label(online - e.lead_time),
                online=cal.label(online),
                capital_cost=e.capital_cost,
                running_cost=e.running_cost_per_year / cal.per_year * len(on),
            )
        )
    capacity = [
        Series(
            key=f"{kind}/{ident}",
            values=[_clean(b + a) for b, a in zip(base, added_at[ident], strict=True)],
        )
        for (kind, ident), base in built.base.items()
    ]

    results = []
    for (k, i), cols in built.b.items():
        required = sum(built.due[(k, i)])
        delivered = sum(values(built.a[(k, i)]))
        held = built.held.get(k)
        results.append(
            ClaimantResult(
                claimant=k,
                item=i,
                required=_clean(required),
                delivered=_clean(delivered),
                short_at_end=_clean(sol[cols[-1]]),
                late_unit_periods=_clean(sum(sol[c] for c in cols)),
                held=None if held is None else Bilingual(en=held.en, ja=held.ja),
            )
        )

    nations = {x.id: x.nation for x in model.lines} | {x.id: x.nation for x in model.suppliers}
    bottlenecks = _bottlenecks(built, duals, measure, nations, model.currency)
    summary = summary_of(shortfall, cost, model.currency, investments, bottlenecks, built.held)
    return Plan(
        model_hash=model.digest(),
        solver=solver,
        options=options,
        status=status,
        periods=cal.labels(),
        currency=model.currency,
        weighted_shortfall=_clean(shortfall),
        cost=round(cost, 2) + 0.0,
        gap=max(0.0, gap),
        solve_s=elapsed,
        production=production,
        completions=completions,
        supply=supply,
        deliveries=deliveries,
        requirements=requirements,
        backlog=backlog,
        capacity=capacity,
        investments=investments,
        claimants=results,
        bottlenecks=bottlenecks,
        summary=summary,
    )


def _clean(v: float) -> float:
    """Solver noise off: 1e-10 is 0, 99.9999999 is 100."""
    r = round(float(v), 6)
    return 0.0 if r == 0 else r


def bottleneck_text(
    subject: tuple[str, str],
    start: str,
    end: str,
    measure: str,
    gain: float,
    currency: str,
    per: str,
) -> Bilingual:
    """What binds and what one more unit of it buys, in both languages;
    ``subject`` names what binds, with its verb ("The line X (USA) is",
    "ライン「X」（USA）は")."""
    unit_en, unit_ja = {"month": ("month", "月"), "quarter": ("quarter", "四半期"),
                        "year": ("year", "年")}[per]  # fmt: skip
    span_en = f"in {start}" if start == end else f"from {start} to {end}"
    span_ja = f"{start}に" if start == end else f"{start}〜{end}に"
    if measure == "shortfall":
        buys_en = f"cuts the weighted shortfall by up to {gain:,.2f}"
        buys_ja = f"重み付き不足が最大{gain:,.2f}減ります"
    else:
        buys_en = f"saves up to {currency} {gain:,.0f}"
        buys_ja = f"費用が最大{currency} {gain:,.0f}減ります"
    return Bilingual(
        en=f"{subject[0]} at capacity {span_en}: one more unit in one {unit_en} of it {buys_en}.",
        ja=f"{subject[1]}{span_ja}能力の上限です。そのいずれかの{unit_ja}に1単位増やすと{buys_ja}。",
    )


def _bottlenecks(
    built: Built,
    duals: np.ndarray,
    measure: str,
    nations: dict[str, str],
    currency: str,
) -> list[Bottleneck]:
    cal = built.cal
    out: list[Bottleneck] = []
    for (kind, ident), rows in built.capacity_rows.items():
        gain = [max(0.0, -float(duals[r])) for r in rows]  # ≤ rows: a dual ≤ 0 in a minimisation
        t = 0
        while t < len(gain):
            if gain[t] <= 1e-7:
                t += 1
                continue
            s = t
            while t < len(gain) and gain[t] > 1e-7:
                t += 1
            top = max(gain[s:t])
            nation = nations[ident]
            start, end = cal.label(s), cal.label(t - 1)
            out.append(
                Bottleneck(
                    kind=kind,
                    id=ident,
                    nation=nation,
                    start=start,
                    end=end,
                    periods=t - s,
                    gain=round(top, 6),
                    measure=measure,
                    text=bottleneck_text(
                        _subject(kind, built.names[ident], nation),
                        start,
                        end,
                        measure,
                        top,
                        currency,
                        cal.per,
                    ),
                )
            )
    out.sort(key=lambda b: (-b.gain, b.start, b.id))
    return out


def _subject(kind: str, name: tuple[str, str], nation: str) -> tuple[str, str]:
    what_en, what_ja = ("line", "ライン") if kind == "line" else ("supplier", "供給元")
    return f"The {what_en} {name[0]} ({nation}) is", f"{what_ja}「{name[1]}」（{nation}）は"


def summary_of(
    shortfall: float,
    cost: float,
    currency: str,
    investments: list[Investment],
    bottlenecks: list[Bottleneck],
    held: dict[str, Text],
) -> Bilingual:
    en = [
        f"Weighted shortfall {shortfall:,.1f}; cost {currency} {cost:,.0f}; "
        f"{len(investments)} expansion(s) chosen."
    ]
    ja = [
        f"重み付き不足 {shortfall:,.1f}、費用 {currency} {cost:,.0f}、拡張 {len(investments)} 件を選択。"
    ]
    if bottlenecks:
        en.append(f"Main bottleneck: {bottlenecks[0].text.en}")
        ja.append(f"主な制約: {bottlenecks[0].text.ja}")
    if held:
        en.append("Not delivered: " + "; ".join(t.en for t in held.values()) + ".")
        ja.append("引き渡し不可: " + "、".join(t.ja for t in held.values()) + "。")
    return Bilingual(en=" ".join(en), ja="".join(ja))
