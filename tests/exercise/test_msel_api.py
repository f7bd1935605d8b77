"""Planning an exercise over HTTP: objectives, the MSEL, roles, and the MSEL
as a CSV or XLSX sheet.

Every test talks to a real server with real users' tokens. The CSV export is
pinned by ``tests/golden/msel_export.csv``; after a deliberate change of the
export, regenerate it with ``ALLIANCE_UPDATE_GOLDEN=1 pytest
tests/exercise/test_msel_api.py -k golden`` and review the diff.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from alliance.core.errors import InvalidInput
from alliance.core.exercise import EXERCISE_NAME, FICTIONAL
from alliance.exercise import ExerciseDesk
from alliance.exercise.sheet import MAX_SHEET_BYTES, MAX_SHEET_ROWS
from alliance.exercise.sheet_xlsx import MEDIA_TYPE as XLSX
from alliance.store.ledger import iter_events
from tests.api.conftest import Headers, Site, assert_error, site

__all__ = ["site"]  # the fixture

GOLDEN = Path(__file__).parents[1] / "golden" / "msel_export.csv"
HEADER = [
    "Serial",
    "DTG",
    "Sender",
    "Addressee HQ",
    "Delivery method",
    "Description",
    "Description (JA)",
    "Expected action",
    "Expected action (JA)",
    "Objectives",
    "Controller",
    "Releasable to",
    "TLP",
    "Status",
]


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _exercise(site: Site, who: Headers, ident: str = "ex-paper") -> dict[str, Any]:
    body = {
        "id": ident,
        "name": f"{EXERCISE_NAME} ({FICTIONAL})",
        "name_ja": f"{EXERCISE_NAME}（架空）",
        "participants": [
            {"nation": "JPN", "hq_id": "jpn-jjoc"},
            {"nation": "USA", "hq_id": "usa-jfhq"},
        ],
        "h_hour": "2026-11-02T00:00:00Z",
        "marking": {"releasable_to": ["USA"]},
    }
    return _ok(site.client.post("/exercises", json=body, headers=who), 201)  # type: ignore[no-any-return]


def _objective(site: Site, who: Headers, ex: str, code: str) -> dict[str, Any]:
    body = {
        "code": code,
        "title": f"Objective {code} (FICTIONAL)",
        "title_ja": f"訓練目標 {code}（架空）",
        "marking": {"releasable_to": ["USA"]},
    }
    return _ok(  # type: ignore[no-any-return]
        site.client.post(f"/exercises/{ex}/objectives", json=body, headers=who), 201
    )


def _inject(site: Site, who: Headers, ex: str, serial: str, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "serial": serial,
        "h_plus": "H+00:05",
        "sender": "Simulated higher HQ",
        "addressee_hq_id": "usa-jfhq",
        "description": f"FICTIONAL: inject {serial}.",
        "marking": {"releasable_to": ["USA"]},
        **kw,
    }
    return _ok(site.client.post(f"/exercises/{ex}/injects", json=body, headers=who), 201)  # type: ignore[no-any-return]


def _serials(site: Site, who: Headers, ex: str, **params: str) -> list[str]:
    rows = _ok(site.client.get(f"/exercises/{ex}/injects", params=params, headers=who))
    return [r["serial"] for r in rows]


def _events(site: Site) -> int:
    return len(list(iter_events(site.node.db)))


# -- objectives, the MSEL and roles -----------------------------------------------------


def test_an_msel_is_planned_filtered_changed_and_cancelled(site: Site) -> None:
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    ex = _exercise(site, staff)["id"]
    to1 = _objective(site, staff, ex, "TO-1")
    to2 = _objective(site, staff, ex, "TO-2")
    assert_error(
        site.client.post(
            f"/exercises/{ex}/objectives", json={"code": "TO-1", "title": "x"}, headers=staff
        ),
        422,
        "duplicate_code",
        "code",
    )
    _inject(site, staff, ex, "JPN-003", h_plus="H+02:00", method="phone")
    _inject(site, staff, ex, "JPN-001", objective_ids=[to1["id"]])
    _inject(
        site,
        staff,
        ex,
        "JPN-002",
        h_plus=None,
        due="020100ZNOV26",
        addressee_hq_id="jpn-jjoc",
        objective_ids=[to2["id"]],
        description="FICTIONAL: a ferry reports a GPS outage.",
        marking={"releasable_to": []},
    )
    # In order of their due time, whatever the order written.
    assert _serials(site, staff, ex) == ["JPN-001", "JPN-002", "JPN-003"]
    assert _serials(site, staff, ex, addressee_hq_id="jpn-jjoc") == ["JPN-002"]
    assert _serials(site, staff, ex, method="phone") == ["JPN-003"]
    assert _serials(site, staff, ex, objective_id=to1["id"]) == ["JPN-001"]
    assert _serials(site, staff, ex, q="gps") == ["JPN-002"]
    window = {"due_from": "2026-11-02T00:30:00Z", "due_to": "020130ZNOV26"}
    assert _serials(site, staff, ex, **window) == ["JPN-002"]
    assert _serials(site, staff, ex, state="draft") == ["JPN-001", "JPN-002", "JPN-003"]

    one = {r["serial"]: r for r in _ok(site.client.get(f"/exercises/{ex}/injects", headers=staff))}
    first = one["JPN-001"]
    approved = _ok(
        site.client.post(f"/exercises/injects/{first['id']}/approve", json={}, headers=staff)
    )
    assert approved["state"] == "approved"
    # A change before delivery: checked again, and an approved row goes back to draft.
    assert_error(
        site.client.patch(
            f"/exercises/injects/{first['id']}", json={"objective_ids": ["nope"]}, headers=staff
        ),
        422,
        "unknown_objective",
        "objective_ids.0",
    )
    assert_error(
        site.client.patch(
            f"/exercises/injects/{first['id']}",
            json={"marking": {"releasable_to": []}},
            headers=staff,
        ),
        422,
        "not_released_to_addressee",
        "marking.releasable_to",
    )
    changed = _ok(
        site.client.patch(
            f"/exercises/injects/{first['id']}",
            json={"h_plus": "H+03:00", "description": "FICTIONAL: changed.", "version": 2},
            headers=staff,
        )
    )
    assert (changed["state"], changed["h_plus"], changed["version"]) == ("draft", "H+03:00", 3)
    assert _serials(site, staff, ex) == ["JPN-002", "JPN-003", "JPN-001"]
    # Cancelled: it stays, and is no longer changed, approved or cancelled again.
    cancelled = _ok(
        site.client.post(
            f"/exercises/injects/{first['id']}/cancel", json={"note": "Not needed."}, headers=staff
        )
    )
    assert cancelled["state"] == "cancelled"
    for step in ("cancel", "approve"):
        assert_error(
            site.client.post(f"/exercises/injects/{first['id']}/{step}", json={}, headers=staff),
            409,
            "wrong_state",
        )
    assert_error(
        site.client.patch(
            f"/exercises/injects/{first['id']}", json={"controller": "x"}, headers=staff
        ),
        409,
        "wrong_state",
    )
    assert _serials(site, staff, ex, state="cancelled") == ["JPN-001"]


def test_only_a_role_in_the_exercise_reads_the_msel(site: Site) -> None:
    cdr = site.as_("JPN", "commander", "jpn-jjoc")
    viewer = site.as_("JPN", "viewer", "jpn-jjoc")
    ex = _exercise(site, cdr)["id"]
    _inject(site, cdr, ex, "JPN-001")
    _objective(site, cdr, ex, "TO-1")
    # No role in the exercise: nothing of the MSEL, not even its export.
    body = assert_error(
        site.client.get(f"/exercises/{ex}/injects", headers=viewer), 403, "exercise_role_required"
    )
    assert "閲覧者" in body["message"]["ja"]
    assert_error(
        site.client.get(f"/exercises/{ex}/msel/export", headers=viewer),
        403,
        "exercise_role_required",
    )
    # The exercise and its released objectives are readable without a role.
    assert _ok(site.client.get(f"/exercises/{ex}", headers=viewer))["my_roles"] == []
    assert [
        o["code"] for o in _ok(site.client.get(f"/exercises/{ex}/objectives", headers=viewer))
    ] == ["TO-1"]
    me = _ok(site.client.get("/me", headers=viewer))
    role = _ok(
        site.client.post(
            f"/exercises/{ex}/roles", json={"user_id": me["user"], "role": "viewer"}, headers=cdr
        ),
        201,
    )
    assert _serials(site, viewer, ex) == ["JPN-001"]
    # A viewer reads; it writes no row.
    assert_error(
        site.client.post(
            f"/exercises/{ex}/injects",
            json={
                "serial": "X",
                "h_plus": "H+0:01",
                "sender": "s",
                "addressee_hq_id": "jpn-jjoc",
                "description": "d",
            },
            headers=viewer,
        ),
        403,
        "exercise_role_required",
    )
    # Only who gives roles takes them back; then the viewer reads nothing again.
    assert_error(
        site.client.delete(f"/exercises/roles/{role['id']}", headers=viewer),
        403,
        "exercise_role_required",
    )
    revoked = _ok(site.client.delete(f"/exercises/roles/{role['id']}", headers=cdr))
    assert revoked["revoked"] is not None
    assert (
        _ok(site.client.delete(f"/exercises/roles/{role['id']}", headers=cdr))["version"]
        == revoked["version"]
    )
    assert_error(
        site.client.get(f"/exercises/{ex}/injects", headers=viewer), 403, "exercise_role_required"
    )
    # A partner's user with a role reads its own nation's MSEL: none of JPN's rows.
    usa_cdr = site.as_("USA", "commander", "usa-jfhq")
    assert_error(
        site.client.get(f"/exercises/{ex}/injects", headers=usa_cdr), 403, "exercise_role_required"
    )
    usa_me = _ok(site.client.get("/me", headers=usa_cdr))
    _ok(
        site.client.post(
            f"/exercises/{ex}/roles",
            json={"user_id": usa_me["user"], "role": "editor"},
            headers=usa_cdr,
        ),
        201,
    )
    assert _serials(site, usa_cdr, ex) == []
    assert [
        r["owner"] for r in _ok(site.client.get(f"/exercises/{ex}/roles", headers=usa_cdr))
    ] == ["USA"]
    # A role given by JPN is not found by USA, which cannot take it back.
    assert_error(
        site.client.delete(f"/exercises/roles/{role['id']}", headers=usa_cdr), 404, "not_found"
    )


# -- the MSEL as a sheet --------------------------------------------------------------


def _planned(site: Site, who: Headers, ex: str) -> None:
    """Objectives and rows that use every column, including awkward cells."""
    to1 = _objective(site, who, ex, "TO-1")
    to2 = _objective(site, who, ex, "TO-2")
    _inject(
        site,
        who,
        ex,
        "JPN-001",
        sender="JJOC exercise control / 統合作戦司令部 統制部",
        method="message",
        description='FICTIONAL: a fishing vessel reports smoke, 5 NM north of the area.\nSecond line, with "quotes".',
        description_ja="架空：演習区域の北5海里で漁船が煙を報告。",
        expected_action="Acknowledge; coordinate a search with the partner.",
        expected_action_ja="受領し、相手国と捜索を調整する。",
        objective_ids=[to1["id"], to2["id"]],
        controller="Maj. Sato (FICTIONAL)",
        marking={"releasable_to": ["USA"], "tlp": "GREEN"},
    )
    _inject(
        site,
        who,
        ex,
        "JPN-002",
        h_plus=None,
        due="020130ZNOV26",
        addressee_hq_id="jpn-jjoc",
        method="in_person",
        description='=HYPERLINK("http://example.invalid","click")',
        expected_action="-check the report",
        marking={"releasable_to": []},
    )
    _inject(
        site,
        who,
        ex,
        "JPN-003",
        h_plus="H-00:15:30",
        method="cop",
        description="+81 phone-looking text and @mention.",
    )


def _sheet_rows(site: Site, who: Headers, ex: str) -> list[dict[str, Any]]:
    keep = (
        "serial",
        "due",
        "h_plus",
        "sender",
        "addressee_hq_id",
        "method",
        "description",
        "description_ja",
        "expected_action",
        "expected_action_ja",
        "controller",
        "state",
    )
    rows = _ok(site.client.get(f"/exercises/{ex}/injects", headers=who))
    codes = {
        o["id"]: o["code"] for o in _ok(site.client.get(f"/exercises/{ex}/objectives", headers=who))
    }
    out = []
    for r in rows:
        row = {k: r[k] for k in keep}
        row["due"] = r["due"]["iso"] if r["due"] else None
        row["objectives"] = [codes[i] for i in r["objective_ids"]]
        row["release"] = (r["release_marking"]["releasable_to"], r["release_marking"]["tlp"])
        out.append(row)
    return out


def _export(site: Site, who: Headers, ex: str, fmt: str, lang: str = "en") -> httpx.Response:
    response = site.client.get(
        f"/exercises/{ex}/msel/export", params={"format": fmt, "lang": lang}, headers=who
    )
    assert response.status_code == 200, response.text
    return response


def _import(site: Site, who: Headers, ex: str, data: bytes, fmt: str) -> httpx.Response:
    ctype = XLSX if fmt == "xlsx" else "text/csv"
    return site.client.post(
        f"/exercises/{ex}/msel/import", content=data, headers={**who, "Content-Type": ctype}
    )


@pytest.mark.parametrize(
    ("fmt", "lang"), [("csv", "en"), ("xlsx", "en"), ("csv", "ja"), ("xlsx", "ja")]
)
def test_an_exported_msel_imports_into_a_fresh_exercise_as_the_same_rows(
    site: Site, fmt: str, lang: str
) -> None:
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    _exercise(site, staff, "ex-from")
    _planned(site, staff, "ex-from")
    exported = _export(site, staff, "ex-from", fmt, lang)
    assert exported.headers["content-type"].startswith(XLSX if fmt == "xlsx" else "text/csv")
    assert (
        exported.headers["content-disposition"] == f'attachment; filename="msel-ex-from-jpn.{fmt}"'
    )
    _exercise(site, staff, "ex-to")
    for code in ("TO-1", "TO-2"):
        _objective(site, staff, "ex-to", code)
    done = _ok(_import(site, staff, "ex-to", exported.content, fmt), 201)
    assert done["imported"] == 3
    assert _sheet_rows(site, staff, "ex-to") == _sheet_rows(site, staff, "ex-from")
    # The import was all drafts; exporting again gives the same file.
    again = _export(site, staff, "ex-to", fmt, lang)
    if fmt == "csv":
        assert again.content.replace(b"ex-to", b"ex-from") == exported.content


def test_the_csv_export_matches_the_golden_file(site: Site) -> None:
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    _exercise(site, staff)
    _planned(site, staff, "ex-paper")
    data = _export(site, staff, "ex-paper", "csv").content
    if os.environ.get("ALLIANCE_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes()
    # A formula-looking cell is written behind an apostrophe; Excel opens the rest.
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert [r[5] for r in rows if r[0] == "JPN-002"] == [
        '\'=HYPERLINK("http://example.invalid","click")'
    ]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(serial: str, **cells: str) -> list[str]:
    base = {
        "Serial": serial,
        "DTG": "H+00:10",
        "Sender": "EXCON",
        "Addressee HQ": "usa-jfhq",
        "Delivery method": "email",
        "Description": f"FICTIONAL: {serial}",
        "Objectives": "TO-1",
        "Releasable to": "USA",
    }
    base.update(cells)
    return [base.get(h, "") for h in HEADER]


BAD_SHEET = [
    HEADER,
    _row("S-01"),  # row 2: fine
    _row("S-02", DTG="32135ZNOV26"),  # row 3: bad DTG
    _row("S-03", **{"Addressee HQ": "no-such-hq"}),  # row 4: unknown addressee
    _row("S-01"),  # row 5: duplicate serial within the file
    _row("JPN-001"),  # row 6: duplicate of a stored row
    _row("S-06", Objectives="TO-1;TO-9"),  # row 7: unknown objective code
    _row("S-07", **{"Delivery method": "pigeon"}),  # row 8: bad method
    _row("S-08", Sender="x" * 201),  # row 9: over-long text
    _row("S-09", Description='=HYPERLINK("http://evil.invalid")'),  # row 10: a formula
    _row("S-10", DTG=""),  # row 11: a required cell empty
]
BAD_FIELDS = [
    "rows.3.DTG",
    "rows.4.Addressee HQ",
    "rows.5.Serial",
    "rows.6.Serial",
    "rows.7.Objectives",
    "rows.8.Delivery method",
    "rows.9.Sender",
    "rows.10.Description",
    "rows.11.DTG",
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_malformed_sheet_is_refused_naming_every_row_and_column_and_changes_nothing(
    site: Site, fmt: str
) -> None:
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    ex = _exercise(site, staff)["id"]
    _objective(site, staff, ex, "TO-1")
    _inject(site, staff, ex, "JPN-001")
    before_events, before_rows = _events(site), _sheet_rows(site, staff, ex)
    data = _csv(BAD_SHEET) if fmt == "csv" else _xlsx(BAD_SHEET)
    body = assert_error(_import(site, staff, ex, data, fmt), 422, "invalid_sheet", "rows.3.DTG")
    assert [e["field"] for e in body["errors"]] == BAD_FIELDS, " ".join(
        e["field"] for e in body["errors"]
    )
    codes = {e["field"]: e["code"] for e in body["errors"]}
    assert codes["rows.5.Serial"] == codes["rows.6.Serial"] == "duplicate_serial"
    assert codes["rows.7.Objectives"] == "unknown_objective"
    assert codes["rows.10.Description"] == "formula_cell"
    # Bilingual, naming row and column, in the message and in each error.
    assert "Row 4, column Addressee HQ" in body["message"]["en"]
    assert "4行目「宛先司令部」列" in body["message"]["ja"]
    for error in body["errors"]:
        row = error["field"].split(".")[1]
        assert error["message"]["en"].startswith(f"Row {row}, column "), error
        assert error["message"]["ja"].startswith(f"{row}行目「"), error
    assert _events(site) == before_events
    assert _sheet_rows(site, staff, ex) == before_rows
    # The good rows alone import, in one go.
    good = [HEADER, BAD_SHEET[1], _row("S-02")]
    data = _csv(good) if fmt == "csv" else _xlsx(good)
    assert _ok(_import(site, staff, ex, data, fmt), 201)["imported"] == 2


def test_japanese_headers_and_labels_import(site: Site) -> None:
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    ex = _exercise(site, staff)["id"]
    sheet = [
        ["通し番号", "日時", "発信者", "宛先司令部", "付与手段", "状況内容", "提供先"],
        ["J-1", "2026-11-02T03:00:00+09:00", "統制部", "jpn-jjoc", "電話", "架空：通報", ""],
    ]
    done = _ok(_import(site, staff, ex, _csv(sheet), "csv"), 201)
    row = done["injects"][0]
    assert (row["method"], row["due"]["iso"], row["state"]) == (
        "phone",
        "2026-11-01T18:00:00Z",
        "draft",
    )


def test_sheet_limits_and_unreadable_files_are_refused_clearly(site: Site) -> None:
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    ex = _exercise(site, staff)["id"]
    before = _events(site)
    many = [HEADER[:6]] + [
        [f"S{i}", "H+00:01", "E", "jpn-jjoc", "", "d"] for i in range(MAX_SHEET_ROWS + 1)
    ]
    body = assert_error(_import(site, staff, ex, _csv(many), "csv"), 422, "invalid_sheet")
    assert body["errors"][-1]["code"] == "too_many_rows"
    # The node refuses a body over its own limit before reading it.
    huge = _import(site, staff, ex, b"x" * (site.node.settings.max_body_bytes + 1), "csv")
    assert_error(huge, 413, "payload_too_large")
    desk = site.node.desk("exercise", ExerciseDesk)
    actor = site.node.users.authenticate(site.people.tokens["JPN staff_officer jpn-jjoc"])
    with pytest.raises(InvalidInput) as caught:
        desk.import_sheet(actor, ex, b"a" * (MAX_SHEET_BYTES + 1), "csv")
    assert caught.value.code == "sheet_too_large"
    assert_error(_import(site, staff, ex, b"not a zip", "xlsx"), 422, "unreadable_sheet")
    assert_error(_import(site, staff, ex, b"", "csv"), 422, "invalid_sheet")
    unknown = site.client.post(
        f"/exercises/{ex}/msel/import",
        content=b"a,b",
        headers={**staff, "Content-Type": "text/plain"},
    )
    assert_error(unknown, 422, "unsupported_sheet", "format")
    header = _csv([["Serial", "Colour"]])
    body = assert_error(_import(site, staff, ex, header, "csv"), 422, "invalid_sheet")
    assert {e["code"] for e in body["errors"]} == {"unknown_column", "missing_column"}
    assert _events(site) == before
