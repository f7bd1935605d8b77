"""The industry desk's demo content: each nation's part of the illustrative
co-production model (FICTIONAL; only its orders of magnitude follow the
public figures it cites) stored as its national dataset, and its aggregates
released to the partner by the nation's commander — so that a planner on
either node can solve a joint plan on its own detail and the partner's
release at once."""

from __future__ import annotations

from datetime import datetime

from alliance.core.authority import Actor, Role

from .desk import IndustryDesk
from .records import DatasetIn, ReleaseIn
from .sovereign import own_part

HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}
PARTNER = {"JPN": "USA", "USA": "JPN"}


def content(desk: IndustryDesk, nation: str, now: datetime) -> None:
    del now  # the illustrative model has its own horizon
    if nation not in HQ:
        return
    cdr = Actor(f"demo-{nation.lower()}-cdr", f"{nation} commander (demo)", nation, HQ[nation],
                Role.COMMANDER)  # fmt: skip
    model = own_part(desk.example(cdr), nation)
    made = desk.create_dataset(
        cdr, DatasetIn(name=f"{nation} lines and suppliers (illustrative, fictional)", model=model)
    )
    desk.release(
        cdr,
        made.id,
        ReleaseIn(
            to=[PARTNER[nation]],
            name=f"{nation} capacity and supply (illustrative, fictional)",
            note="Demo: released for the fictional joint plan. / デモ：架空の共同計画のために提供。",
        ),
    )
