"""A bad or impossible model gets a bilingual explanation naming the inputs at
fault, never a solver trace."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from alliance.core.errors import InvalidInput
from alliance.industry import Infeasible, load_model, parse_model, solve

from .models import hand

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
SOLVER_WORDS = ("HiGHS", "Highs", "kInfeasible", "Traceback", "row ", "col ", "iis")


def _refused(data: dict[str, Any], exc_type: type[InvalidInput] = InvalidInput) -> InvalidInput:
    with pytest.raises(exc_type) as err:
        solve(parse_model(data))
    exc = err.value
    for text in (exc.message, *(e.message for e in exc.errors)):
        assert JAPANESE.search(text.ja), text.ja
        assert not any(w in text.en for w in SOLVER_WORDS), text.en
    return exc


def test_a_negative_rate_is_refused_naming_its_field() -> None:
    data = hand()
    data["lines"][0]["rate_per_year"] = -5
    exc = _refused(data)
    assert exc.field == "lines.0.rate_per_year"
    assert "lines.0.rate_per_year" in exc.message.en
    assert "0" in exc.message.ja


def test_a_component_with_no_supplier_is_named() -> None:
    exc = _refused(hand(suppliers=[]))
    assert exc.field == "bom.0"
    assert "'C'" in exc.message.en
    assert "Seeker" in exc.message.en
    assert "no supplier" in exc.message.en
    assert "シーカー" in exc.message.ja
    assert "供給元" in exc.message.ja


def test_a_cycle_in_the_bill_of_materials_is_named_with_its_path() -> None:
    data = hand()
    data["items"].append(
        {"id": "G", "name_en": "Guidance", "name_ja": "誘導部", "kind": "component"}
    )
    data["bom"] += [
        {"parent": "C", "child": "G", "quantity": 1},
        {"parent": "G", "child": "C", "quantity": 1},
    ]
    data["suppliers"].append({"id": "SG", "nation": "USA", "name_en": "G maker", "name_ja": "誘導部製造", "item": "G", "rate_per_year": 12})  # fmt: skip
    exc = _refused(data)
    assert exc.field == "bom"
    assert "C → G → C" in exc.message.en
    assert "循環" in exc.message.ja


def test_unknown_ids_and_dates_outside_the_horizon_are_all_listed() -> None:
    data = hand()
    data["requirements"] = [
        {"claimant": "NOPE", "item": "P", "due": "2026-03", "quantity": 1},
        {"claimant": "K", "item": "P", "due": "2030", "quantity": 1},
    ]
    exc = _refused(data)
    fields = [e.field for e in exc.errors]
    assert fields == ["requirements.0.claimant", "requirements.1.due"]
    assert "NOPE" in exc.errors[0].message.ja
    assert "2030" in exc.errors[1].message.en


def test_firm_requirements_no_capacity_can_meet_are_explained_from_the_iis() -> None:
    data = hand()
    data["requirements"][0]["firm"] = True
    exc = _refused(data, Infeasible)
    assert exc.code == "infeasible_model"
    assert exc.field == "requirements.0"
    # The requirement at fault and what limits it, by name and place.
    assert "JASDF's firm Missile due by 2026-03 [requirements.0]" in exc.message.en
    assert "Seeker maker" in exc.message.en
    assert "[suppliers.0]" in exc.message.en
    assert "Line L" not in exc.message.en  # the line has room: not named
    assert "航空自衛隊" in exc.message.ja
    assert "シーカー製造" in exc.message.ja


def test_a_firm_requirement_behind_an_unapproved_transfer_names_the_gate() -> None:
    data = hand()
    data["claimants"].append(
        {"id": "X", "nation": "XXA", "name_en": "Partner X", "name_ja": "X国",
         "transfer": {"approved_by": ["USA", "JPN"], "export_cleared": False}}
    )  # fmt: skip
    data["requirements"] = [
        {"claimant": "X", "item": "P", "due": "2026-03", "quantity": 1, "firm": True}
    ]
    exc = _refused(data, Infeasible)
    assert "export-control" in exc.message.en
    assert "[claimants.1.transfer]" in exc.message.en
    assert "輸出管理" in exc.message.ja


def test_a_model_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text("horizon: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        load_model(bad)
    assert "m.yaml" in err.value.message.en
    assert "YAML" in err.value.message.ja
