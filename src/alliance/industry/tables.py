"""Models and plans as tables: a folder of CSV files in and out (what a planner
keeps in a spreadsheet today), and a plan as CSV or an XLSX workbook.

A model folder holds ``model.csv`` (one row: names, currency, horizon) and one
CSV per list of the model (``items.csv``, ``bom.csv``, ``lines.csv`` …), one
row per entry, a column per field. A cell holding a list of ids is written
``a;b``; a cell holding anything nested (rate changes, outages, a transfer
gate) is written in YAML flow style (``[{start: '2027', rate_per_year: 800}]``);
an empty cell takes the field's default.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from alliance.core.i18n import Text

from .model import Model, model_error, parse_model
from .plan import Plan

LISTS = (
    "sources",
    "items",
    "bom",
    "lines",
    "suppliers",
    "expansions",
    "claimants",
    "requirements",
    "stocks",
)
HEAD = ("name_en", "name_ja", "illustrative", "note_en", "note_ja", "currency")
HORIZON = ("start", "periods", "per")
ID_LISTS = {"items", "sources", "approved_by"}  # list-of-id fields written a;b


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and name in ID_LISTS and all(isinstance(v, str) for v in value):
        return ";".join(value)
    if isinstance(value, list | dict):
        return yaml.safe_dump(
            value, default_flow_style=True, allow_unicode=True, width=10_000
        ).strip()
    return str(value)


def _value(name: str, text: str) -> Any:
    if name in ID_LISTS and text and not text.startswith("["):
        return [v.strip() for v in text.split(";") if v.strip()]
    if text.startswith(("[", "{")):
        return yaml.safe_load(text)
    if text in ("true", "false"):
        return text == "true"
    return text  # pydantic turns "800" into 800 where a number is asked for


def write_tables(model: Model, folder: Path) -> list[Path]:
    """The model as CSV files in ``folder``; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    data = model.model_dump(mode="json")
    written = []
    head = {k: _cell(k, data[k]) for k in HEAD} | {k: _cell(k, data["horizon"][k]) for k in HORIZON}
    written.append(_write(folder / "model.csv", list(head), [head]))
    fields = {
        name: list(Model.model_fields[name].annotation.__args__[0].model_fields)  # type: ignore[union-attr]
        for name in LISTS
    }
    for name in LISTS:
        rows = [{k: _cell(k, row.get(k)) for k in fields[name]} for row in data[name]]
        written.append(_write(folder / f"{name}.csv", fields[name], rows))
    return written


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header)
        w.writeheader()
        w.writerows(rows)
    return path


def read_tables(folder: Path) -> Model:
    """A model from a folder of CSV files (:func:`write_tables`'s form)."""
    head_rows = _read(folder / "model.csv")
    if len(head_rows) != 1:
        raise model_error(
            Text("model.csv: needs exactly one row", "model.csv: 1行だけ必要です"), "model.csv"
        )
    head = {k: _value(k, v) for k, v in head_rows[0].items() if v != ""}
    data: dict[str, Any] = {k: v for k, v in head.items() if k not in HORIZON}
    data["horizon"] = {k: head[k] for k in HORIZON if k in head}
    for name in LISTS:
        path = folder / f"{name}.csv"
        rows = _read(path) if path.exists() else []
        data[name] = [{k: _value(k, v) for k, v in row.items() if v != ""} for row in rows]
    return parse_model(data, folder.name)


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return [dict(r) for r in csv.DictReader(f)]
    except (OSError, UnicodeDecodeError, csv.Error, yaml.YAMLError) as exc:
        raise model_error(
            Text(f"{path.name}: cannot be read ({exc})", f"{path.name}: 読み込めません（{exc}）"),
            path.name,
        ) from None


# -- plans out -------------------------------------------------------------------------

SERIES = (
    "production",
    "completions",
    "supply",
    "deliveries",
    "requirements",
    "backlog",
    "capacity",
)


def plan_csv(plan: Plan) -> str:
    """The plan's series in long form: one row per series, key and period."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["series", "key", "period", "value"])
    for name in SERIES:
        for s in getattr(plan, name):
            for period, v in zip(plan.periods, s.values, strict=True):
                w.writerow([name, s.key, period, f"{v:g}"])
    return out.getvalue()


def plan_xlsx(plan: Plan, path: Path | None = None) -> bytes:
    """The plan as a workbook: a summary sheet (both languages), one sheet per
    series (a row per key, a column per period), investments and bottlenecks."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Summary 概要"
    for row in (
        ("Summary", plan.summary.en),
        ("概要", plan.summary.ja),
        ("Status 状態", plan.status),
        ("Weighted shortfall 重み付き不足", plan.weighted_shortfall),
        (f"Cost 費用 ({plan.currency})", plan.cost),
        ("MIP gap ギャップ", plan.gap),
        ("Model hash モデルのハッシュ", plan.model_hash),
        ("Solver ソルバー", plan.solver),
        ("Solve time (s) 求解時間（秒）", round(plan.solve_s, 3)),
    ):
        ws.append(list(row))
    for name in SERIES:
        sheet = wb.create_sheet(name)
        sheet.append(["key", *plan.periods])
        for s in getattr(plan, name):
            sheet.append([s.key, *s.values])
    inv = wb.create_sheet("investments")
    inv.append(
        ["expansion", "target", "nation", "decided", "online", "capital_cost", "running_cost"]
    )
    for i in plan.investments:
        inv.append(
            [i.expansion, i.target, i.nation, i.decided, i.online, i.capital_cost, i.running_cost]
        )
    bn = wb.create_sheet("bottlenecks")
    bn.append(["kind", "id", "nation", "start", "end", "gain", "measure", "en", "ja"])
    for b in plan.bottlenecks:
        bn.append([b.kind, b.id, b.nation, b.start, b.end, b.gain, b.measure, b.text.en, b.text.ja])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data
