"""The industry desk's commands: ``alliance industry solve FILE`` (with a
progress display, scenarios side by side, and the plan written as JSON, CSV,
XLSX and plots), ``check FILE`` and ``example`` (the illustrative model).

They need no node: the engine is pure. The model file is YAML or JSON, or a
folder of CSV tables.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.live import Live
from rich.table import Table

from alliance.core.errors import AllianceError, InvalidInput
from alliance.core.i18n import Text
from alliance.core.validation_ja import japanese
from alliance.desks import DeskCli

from .check import check
from .model import DEMO_MODEL, Model, load_model
from .plan import Plan
from .scenario import Scenario, compare
from .solver import Options, Progress

ModelArg = Annotated[
    Path,
    typer.Argument(
        help="Model: YAML or JSON file, or a folder of CSV tables / モデル（YAML・JSONファイルまたはCSVの表のフォルダ）"
    ),
]


def read_scenarios(path: Path) -> list[Scenario]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(
            Text(f"{path}: cannot be read ({exc})", f"{path}: 読み込めません（{exc}）"),
            field="scenarios",
        ) from None
    try:
        return TypeAdapter(list[Scenario]).validate_python(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InvalidInput(
            Text(f"{path.name}: {where}: {err['msg']}", f"{path.name}: {where}: {japanese(err)}"),
            field=where,
            code="invalid_scenario",
        ) from None


def register(app: typer.Typer, cli: DeskCli) -> None:
    industry = typer.Typer(
        help="Co-production capacity planning with HiGHS / HiGHSによる共同生産の能力計画",
        no_args_is_help=True,
    )
    app.add_typer(industry, name="industry")

    def guarded(fn: Any) -> Any:
        try:
            return fn()
        except AllianceError as exc:
            lines = [cli.say(exc.message)]
            lines += [f"  - {cli.say(e.message)}" for e in exc.errors[1:]]
            raise cli.fail(Text("\n".join(lines), "\n".join(lines)), 2) from None

    @industry.command("solve")
    def solve_cmd(
        model: ModelArg,
        scenarios: Annotated[
            Path | None,
            typer.Option(
                "--scenarios",
                help="YAML list of scenarios to compare with the baseline / 基準と比較するシナリオのYAML",
            ),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                help="Folder for plan.json, plan.csv, plan.xlsx and the plots / 計画と図の出力フォルダ",
            ),
        ] = None,
        time_limit: Annotated[
            float,
            typer.Option("--time-limit", min=0.1, help="Seconds per solve / 1回の求解の制限秒数"),
        ] = 60.0,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the plan(s) as JSON / 計画をJSONで出力")
        ] = False,
    ) -> None:
        """Solve a model: least weighted shortfall, then least cost. / モデルを解く（不足最小、次に費用最小）。"""

        def run() -> dict[str, Plan]:
            m = load_model(model)
            extra = read_scenarios(scenarios) if scenarios is not None else []
            return _solve_live(cli, m, extra, Options(time_limit_s=time_limit), quiet=as_json)

        plans: dict[str, Plan] = guarded(run)
        if as_json:
            cli.write(
                json.dumps(
                    {k: p.model_dump(mode="json") for k, p in plans.items()}, ensure_ascii=False
                )
                + "\n"
            )
        else:
            _show(cli, plans)
        if out is not None:
            written = guarded(lambda: _write(plans, out))
            if not as_json:
                for path in written:
                    cli.write(f"{path}\n")

    @industry.command("check")
    def check_cmd(model: ModelArg) -> None:
        """Check a model without solving it. / モデルを求解せずに検査する。"""
        m = guarded(lambda: load_model(model))
        guarded(lambda: check(m))
        cli.write(
            cli.say(
                Text(
                    f"{model}: the model is consistent.\n", f"{model}: モデルに矛盾はありません。\n"
                )
            )
        )

    @industry.command("example")
    def example_cmd() -> None:
        """Print the illustrative (fictional) demo model as YAML. / 例示用（架空）のモデルをYAMLで出力する。"""
        cli.write(DEMO_MODEL.read_text(encoding="utf-8"))


def _solve_live(
    cli: DeskCli, model: Model, scenarios: list[Scenario], options: Options, *, quiet: bool
) -> dict[str, Plan]:
    """Solve in a worker thread with a live line on stderr (scenario, stage,
    best, gap, time); Ctrl-C cancels the solve through HiGHS's callbacks."""
    err = Console(stderr=True)
    cancel = threading.Event()
    stages = {
        "shortfall": Text("least shortfall", "不足最小化"),
        "cost": Text("least cost", "費用最小化"),
        "bottlenecks": Text("bottlenecks", "制約分析"),
    }
    line = {"text": ""}
    show = not quiet and err.is_terminal

    def told(sid: str, p: Progress) -> None:
        parts = [sid, cli.say(stages[p.stage]), f"{p.elapsed_s:5.1f}s"]
        if p.best is not None:
            parts.append(f"best {p.best:,.1f}")
        if p.gap is not None:
            parts.append(f"gap {100 * p.gap:.3f}%")
        line["text"] = " · ".join(parts)
        if not show and not quiet and p.stage != line.get("stage"):  # a log: each stage once
            line["stage"] = p.stage
            err.print(f"{sid}: {cli.say(stages[p.stage])}", highlight=False, soft_wrap=True)

    outcome: dict[str, Any] = {}
    done = threading.Event()  # not Thread.join: interrupted, it can return early (Python 3.11)

    def work() -> None:
        try:
            outcome["plans"] = compare(model, scenarios, options, progress=told, cancel=cancel)
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="industry-solve", daemon=True).start()
    try:
        if show:
            with Live("", console=err, transient=True, refresh_per_second=8) as live:
                while not done.wait(0.125):
                    live.update(line["text"])
        else:
            done.wait()
    except KeyboardInterrupt:
        cancel.set()  # HiGHS stops at its next callback
        done.wait()
    if "error" in outcome:
        raise outcome["error"]
    plans: dict[str, Plan] = outcome["plans"]
    return plans


def _show(cli: DeskCli, plans: dict[str, Plan]) -> None:
    console = Console(file=sys.stdout, width=120)
    t = Table(title=cli.say(Text("Plans", "計画")))
    t.add_column(cli.say(Text("Scenario", "シナリオ")))
    t.add_column(cli.say(Text("Status", "状態")))
    t.add_column(cli.say(Text("Weighted shortfall", "重み付き不足")), justify="right")
    t.add_column(cli.say(Text("Cost", "費用")), justify="right")
    t.add_column(cli.say(Text("Gap", "ギャップ")), justify="right")
    t.add_column(cli.say(Text("Expansions", "拡張")))
    t.add_column(cli.say(Text("Time (s)", "時間（秒）")), justify="right")
    for sid, p in plans.items():
        t.add_row(
            sid,
            p.status,
            f"{p.weighted_shortfall:,.1f}",
            f"{p.currency} {p.cost:,.0f}",
            f"{100 * p.gap:.3f}%",
            ", ".join(f"{i.expansion} ({i.decided})" for i in p.investments) or "-",
            f"{p.solve_s:.2f}",
        )
    console.print(t)
    for sid, p in plans.items():
        console.print(f"[bold]{sid}[/bold]: {cli.say(Text(p.summary.en, p.summary.ja))}")
        for b in p.bottlenecks[:5]:
            console.print(f"  - {cli.say(Text(b.text.en, b.text.ja))}")
        console.print(f"  model {p.model_hash[:16]} · {p.solver}")


def _write(plans: dict[str, Plan], folder: Path) -> list[Path]:
    from .plots import save_plots
    from .tables import plan_csv, plan_xlsx

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for sid, p in plans.items():
        stem = "plan" if sid == "baseline" else f"plan-{sid}"
        path = folder / f"{stem}.json"
        path.write_text(p.model_dump_json(indent=1), encoding="utf-8")
        written.append(path)
        path = folder / f"{stem}.csv"
        path.write_text(plan_csv(p), encoding="utf-8")
        written.append(path)
        path = folder / f"{stem}.xlsx"
        plan_xlsx(p, path)
        written.append(path)
        written.extend(save_plots(p, folder, stem))
    return written
