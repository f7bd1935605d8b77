"""Import and export from the command line: a STIX bundle (the OASIS Poison
Ivy report) and a MISP event (converted by MISP's own misp-stix) into a
collection, released as the importer says; an export as a STIX 2.1 bundle
that holds exactly what the reader may see; unreadable files and bad objects
refused with their reasons, nothing of a refused file stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import stix2
from typer.testing import CliRunner

from alliance.access import UserIn
from alliance.cli import app
from alliance.core.authority import Role
from alliance.core.markings import TLP
from alliance.cyber.feed import Query
from alliance.cyber.stix import TLP_IDS, rel_marking_id
from alliance.node import Node

from .helpers import STIX_DIR, cyber, indicator, schema_errors, shared_collection, staff

MISP_EVENT = Path(__file__).parent / "data" / "misp_event.json"
POISON_IVY = next(STIX_DIR.joinpath("examples").rglob("poisonivy.json"))


def _token(node: Node, nation: str) -> str:
    hq = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}[nation]
    _user, token = node.users.add(
        UserIn(name=f"{nation} cyber analyst", nation=nation, hq_id=hq, role=Role.STAFF_OFFICER)
    )
    return token


def _cli(node: Node, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--home", str(node.settings.home)])
    return result.exit_code, result.output


def _json(output: str) -> dict[str, object]:
    start = output.index("{")
    found: dict[str, object] = json.loads(output[start : output.rindex("}") + 1])
    return found


def test_a_stix_bundle_and_a_misp_event_import_and_export_as_a_bundle(
    combined: Node, tmp_path: Path
) -> None:
    collection = shared_collection(combined)
    jpn, usa = _token(combined, "JPN"), _token(combined, "USA")
    code, out = _cli(
        combined,
        "cyber", "import", str(POISON_IVY), str(MISP_EVENT),
        "-c", collection, "--release", "USA", "--tlp", "GREEN", "--token", jpn,
    )  # fmt: skip
    assert code == 0, out
    files = _json(out)["files"]
    assert isinstance(files, list)
    assert [(f["kind"], f["objects"], f["stored"], f["refused"]) for f in files] == [
        ("bundle", 155, 155, []),
        ("misp", 16, 16, []),
    ]
    page = cyber(combined).page(staff("USA"), Query("USA", collection, limit=1000))
    by_id = {o["id"]: o for o in page.objects}
    assert len(by_id) == 155 + 15  # MISP's TLP definition is everyone's, not stored
    report = by_id["report--5e5c3a4b-7f3e-4d8a-9c1b-2a6f4e8d9b10"]
    # The event's own TLP:AMBER is stricter than the --tlp GREEN asked: it stays.
    assert TLP_IDS[TLP.AMBER] in report["object_marking_refs"]
    assert rel_marking_id("USA") in report["object_marking_refs"]
    indicator_ = by_id["indicator--8a3b1c2d-1111-4e5f-8a9b-0c1d2e3f4a01"]
    assert TLP_IDS[TLP.GREEN] in indicator_["object_marking_refs"]

    # USA exports what it may read, as a bundle any STIX tool reads.
    national = indicator(900)  # JPN-only: never in USA's export
    cyber(combined).add(staff("JPN"), collection, [national])
    target = tmp_path / "export.json"
    code, out = _cli(
        combined, "cyber", "export", "-c", collection, "--token", usa, "-o", str(target)
    )
    assert code == 0, out
    exported = json.loads(target.read_text())
    assert schema_errors(exported) == []
    ids = [o["id"] for o in exported["objects"]]
    assert national["id"] not in ids
    assert set(by_id) <= set(ids)
    assert rel_marking_id("USA") in ids  # the marking definitions it names come along
    for obj in exported["objects"]:
        assert stix2.parse(obj, allow_custom=False, version="2.1").id == obj["id"]


def test_an_unreadable_file_is_refused_and_nothing_is_stored(
    combined: Node, tmp_path: Path
) -> None:
    collection = shared_collection(combined)
    jpn = _token(combined, "JPN")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, out = _cli(combined, "cyber", "import", str(broken), "-c", collection, "--token", jpn)
    assert code == 2, out
    assert "The file is not JSON" in out
    assert cyber(combined).export(staff("JPN"), collection) == []


def test_bad_objects_are_listed_and_the_rest_stored(combined: Node, tmp_path: Path) -> None:
    collection = shared_collection(combined)
    jpn = _token(combined, "JPN")
    mixed = tmp_path / "mixed.json"
    bad = {**indicator(2), "spec_version": "2.0"}
    mixed.write_text(
        json.dumps({"type": "bundle", "id": "bundle--1", "objects": [indicator(1), bad]})
    )
    code, out = _cli(combined, "cyber", "import", str(mixed), "-c", collection, "--token", jpn)
    assert code == 1, out
    files = _json(out)["files"]
    assert isinstance(files, list)
    assert [r["code"] for r in files[0]["refused"]] == ["wrong_spec_version"]
    assert [o["id"] for o in cyber(combined).export(staff("JPN"), collection)] == [
        indicator(1)["id"]
    ]


def test_a_token_is_required(combined: Node) -> None:
    collection = shared_collection(combined)
    code, out = _cli(combined, "cyber", "export", "-c", collection, "--token", "alc_nope")
    assert code == 2, out
    assert "token" in out.lower()


@pytest.fixture(autouse=True)
def _no_token_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIANCE_TOKEN", raising=False)
