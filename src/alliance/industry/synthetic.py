"""A larger model from a smaller one, for benchmarks and tests: ``k`` copies of
every item, line, supplier, expansion, claimant and requirement (ids suffixed
``-f1`` … ``-fk``), rates and quantities varied by a seeded ±10%, coupled
through the first model's shared components (every item that more than one
product uses), whose suppliers grow ``k`` times instead. Fictional, as its
source is."""

from __future__ import annotations

import random
from collections import defaultdict

from .model import Model


def scaled(model: Model, k: int, seed: int = 16) -> Model:
    rng = random.Random(seed)  # noqa: S311  (reproducible test data, not secrets)
    parents: dict[str, set[str]] = defaultdict(set)
    for b in model.bom:
        parents[b.child].add(b.parent)
    shared = {i for i, ps in parents.items() if len(ps) > 1}

    def vary(x: float) -> float:
        return round(x * rng.uniform(0.9, 1.1), 1)

    def rid(ident: str, n: int) -> str:
        return ident if ident in shared else f"{ident}-f{n}"

    data = model.model_dump(mode="json")
    out = {
        key: data[key]
        for key in ("name_en", "name_ja", "illustrative", "currency", "horizon", "sources")
    }
    out["name_en"] = f"{model.name_en} ×{k}"
    out["name_ja"] = f"{model.name_ja}（{k}倍）"
    out["note_en"] = f"{k} varied copies of: {model.note_en}"[:2000]
    out["note_ja"] = f"{k}倍に複製・変動させたもの: {model.note_ja}"[:2000]
    out["items"] = [i for i in data["items"] if i["id"] in shared]
    out["suppliers"] = [
        s | {"rate_per_year": s["rate_per_year"] * k,
             "changes": [c | {"rate_per_year": c["rate_per_year"] * k} for c in s["changes"]]}
        for s in data["suppliers"] if s["item"] in shared
    ]  # fmt: skip
    for key in ("bom", "lines", "expansions", "claimants", "requirements", "stocks"):
        out[key] = [] if key != "stocks" else [s for s in data["stocks"] if s["item"] in shared]
    for n in range(1, k + 1):
        for i in data["items"]:
            if i["id"] not in shared:
                out["items"].append(
                    i
                    | {
                        "id": rid(i["id"], n),
                        "name_en": f"{i['name_en']} #{n}",
                        "name_ja": f"{i['name_ja']} #{n}",
                    }
                )
        for b in data["bom"]:
            out["bom"].append(b | {"parent": rid(b["parent"], n), "child": rid(b["child"], n)})
        for line in data["lines"]:
            out["lines"].append(
                line | {"id": f"{line['id']}-f{n}", "items": [rid(i, n) for i in line["items"]],
                        "rate_per_year": vary(line["rate_per_year"]),
                        "changes": [c | {"rate_per_year": vary(c["rate_per_year"])} for c in line["changes"]],
                        "unit_cost": {rid(i, n): v for i, v in line["unit_cost"].items()}}
            )  # fmt: skip
        for s in data["suppliers"]:
            if s["item"] in shared:
                continue
            out["suppliers"].append(
                s | {"id": f"{s['id']}-f{n}", "item": rid(s["item"], n), "rate_per_year": vary(s["rate_per_year"]),
                     "changes": [c | {"rate_per_year": vary(c["rate_per_year"])} for c in s["changes"]]}
            )  # fmt: skip
        for e in data["expansions"]:
            target = (
                e["target"]
                if e["target"] in {s["id"] for s in out["suppliers"] if s["item"] in shared}
                else f"{e['target']}-f{n}"
            )
            out["expansions"].append(
                e
                | {
                    "id": f"{e['id']}-f{n}",
                    "target": target,
                    "capital_cost": vary(e["capital_cost"]),
                }
            )
        for c in data["claimants"]:
            out["claimants"].append(c | {"id": f"{c['id']}-f{n}"})
        for r in data["requirements"]:
            out["requirements"].append(
                r
                | {
                    "claimant": f"{r['claimant']}-f{n}",
                    "item": rid(r["item"], n),
                    "quantity": vary(r["quantity"]),
                }
            )
        for s in data["stocks"]:
            if s["item"] not in shared:
                out["stocks"].append(s | {"item": rid(s["item"], n)})
    return Model.model_validate(out)
