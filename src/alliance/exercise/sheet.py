"""The MSEL as a sheet: its columns, reading a row, writing one.

What the wire formats share (:mod:`.sheet_csv` and :mod:`.sheet_xlsx` only
turn bytes into a table of cells and back). The columns are those of a Joint
Event Life Cycle MSEL spreadsheet; each header is read in English or in
Japanese (or both, as ``Serial / 通し番号``), in any order, so a sheet makes
the round trip through a Japanese staff's Excel. Export writes the headers in
the language asked for.

=====================  ======================  ==================================
column                 Japanese                cell
=====================  ======================  ==================================
Serial                 通し番号                unique among the nation's rows
DTG                    日時                    exercise DTG (020130ZNOV26), ISO
                                               8601 with a zone, or H+01:30
Sender                 発信者                  who the inject comes from
Addressee HQ           宛先司令部              the addressed HQ's id (jpn-jjoc)
Delivery method        付与手段                message, email, phone, ... (or JA)
Description            状況内容                required
Description (JA)       状況内容（日本語）
Expected action        期待される行動
Expected action (JA)   期待される行動（日本語）
Objectives             訓練目標                objective codes, ``;``-separated
Controller             統制官
Releasable to          提供先                  nations beyond the owner, ``;``
TLP                    TLP                     a TLP 2.0 level, or empty
Status                 状態                    written on export; on import
                                               every row is a draft
=====================  ======================  ==================================

Rows are numbered as the spreadsheet numbers them (the header is row 1), and
an error names the row and the column (``rows.12.DTG``), so a planner finds
the cell. An imported row is always a draft, whatever its Status says:
approval is an approver's act, never a sheet's.

**Formula cells.** A cell that a spreadsheet would run as a formula is the
CSV-injection risk: on import a cell beginning with ``=`` is refused
(``formula_cell``); on export a cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is written behind an apostrophe (``'=…``,
as OWASP advises), and import takes that apostrophe off again, so the round
trip gives back the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError

from alliance.core.dtg import format_dtg, iso
from alliance.core.errors import AllianceError, InvalidInput
from alliance.core.i18n import Text
from alliance.core.validation_ja import japanese

from .models import InjectIn, Method, format_h_plus

MAX_SHEET_BYTES = 4 * 1024 * 1024
"""The largest sheet file accepted (the node's request body limit applies first)."""
MAX_SHEET_ROWS = 1000
"""The most MSEL rows one sheet may hold: an import is one transaction of the
node's single writer (about 10 ms a row), which delivers nothing meanwhile; a
larger MSEL is imported in parts (by phase or by day)."""
MAX_SHEET_COLUMNS = 40
MAX_ERRORS = 200
"""The most row errors one refusal lists (a sheet that bad is the wrong file)."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    en: str
    ja: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def label(self) -> Text:
        return Text(self.en, self.ja)


SERIAL = Column("serial", "Serial", "通し番号", ("serial no", "ser", "番号"), required=True)
WHEN = Column(
    "when",
    "DTG",
    "日時",
    ("dtg / h+", "dtg/h+", "time", "h+", "due", "日時グループ", "時刻"),
    required=True,
)
SENDER = Column("sender", "Sender", "発信者", ("from", "送信者"), required=True)
ADDRESSEE = Column(
    "addressee_hq_id",
    "Addressee HQ",
    "宛先司令部",
    ("addressee", "receiver", "to", "宛先", "受信者"),
    required=True,
)
METHOD = Column("method", "Delivery method", "付与手段", ("method", "delivery", "手段"))
DESCRIPTION = Column(
    "description", "Description", "状況内容", ("inject", "event", "内容"), required=True
)
DESCRIPTION_JA = Column(
    "description_ja",
    "Description (JA)",
    "状況内容（日本語）",
    ("description ja", "状況内容(日本語)"),
)
EXPECTED = Column(
    "expected_action", "Expected action", "期待される行動", ("expected player action",)
)
EXPECTED_JA = Column(
    "expected_action_ja",
    "Expected action (JA)",
    "期待される行動（日本語）",
    ("expected action ja", "期待される行動(日本語)"),
)
OBJECTIVES = Column(
    "objectives", "Objectives", "訓練目標", ("training objectives", "objective", "目標")
)
CONTROLLER = Column("controller", "Controller", "統制官", ())
RELEASABLE = Column("releasable_to", "Releasable to", "提供先", ("releasability", "rel to"))
TLP = Column("tlp", "TLP", "TLP", ())
STATUS = Column("status", "Status", "状態", ("state",))

COLUMNS: tuple[Column, ...] = (
    SERIAL,
    WHEN,
    SENDER,
    ADDRESSEE,
    METHOD,
    DESCRIPTION,
    DESCRIPTION_JA,
    EXPECTED,
    EXPECTED_JA,
    OBJECTIVES,
    CONTROLLER,
    RELEASABLE,
    TLP,
    STATUS,
)

# Which column holds each field of InjectIn (an error on the field names it).
_FIELD_COLUMN: dict[str, Column] = {
    "serial": SERIAL,
    "due": WHEN,
    "h_plus": WHEN,
    "sender": SENDER,
    "addressee_hq_id": ADDRESSEE,
    "method": METHOD,
    "description": DESCRIPTION,
    "description_ja": DESCRIPTION_JA,
    "expected_action": EXPECTED,
    "expected_action_ja": EXPECTED_JA,
    "objective_ids": OBJECTIVES,
    "controller": CONTROLLER,
    "marking": RELEASABLE,
    "marking.releasable_to": RELEASABLE,
    "marking.tlp": TLP,
}

METHOD_JA: dict[Method, str] = {
    Method.MESSAGE: "メッセージ",
    Method.EMAIL: "電子メール",
    Method.PHONE: "電話",
    Method.RADIO: "無線",
    Method.CHAT: "チャット",
    Method.IN_PERSON: "対面",
    Method.COP: "共通作戦状況図",
    Method.DOCUMENT: "文書",
}
_METHODS: dict[str, Method] = {
    **{m.value: m for m in Method},
    **{ja: m for m, ja in METHOD_JA.items()},
    "msg": Method.MESSAGE,
    "e-mail": Method.EMAIL,
    "telephone": Method.PHONE,
    "in person": Method.IN_PERSON,
}


def _norm(header: str) -> str:
    text = header.replace("\u3000", " ").replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", " ", text).strip().casefold()


_HEADERS: dict[str, Column] = {}
for _c in COLUMNS:
    for _name in (_c.en, _c.ja, f"{_c.en} / {_c.ja}", f"{_c.en}/{_c.ja}", *_c.aliases):
        _HEADERS[_norm(_name)] = _c


def column_of_header(header: str) -> Column | None:
    """The column a header names, in English, Japanese or both (``A / あ``)."""
    return _HEADERS.get(_norm(header))


# -- cells: formulas and the apostrophe ------------------------------------------

_RISKY_START = ("=", "+", "-", "@", "\t", "\r")


def cell_out(text: str) -> str:
    """A cell as written to a sheet: one a spreadsheet would read as a formula
    gets an apostrophe before it."""
    return "'" + text if text.startswith(_RISKY_START) else text


def cell_in(text: str) -> str:
    """A cell as read from a sheet: the apostrophe :func:`cell_out` added comes
    off; a formula is refused (``formula_cell``)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "".join(_RISKY_START):
        return text[1:]
    if text.startswith("="):
        raise InvalidInput(
            Text(
                "the cell holds a spreadsheet formula, which is not accepted (CSV injection "
                "risk): write its value as text",
                "セルに表計算の数式が含まれています（CSVインジェクションの危険があるため"
                "受け付けません）。値を文字として記入してください",
            ),
            code="formula_cell",
        )
    return text


def cell_text(value: Any) -> str:
    """Any cell value a reader gives (text, number, date) as text. A date-time
    without a zone (a spreadsheet's own) is read as UTC (Z)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).isoformat()
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


# -- errors ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong with one cell (or a whole row when ``column`` is None)."""

    row: int
    column: Column | None
    error: AllianceError

    def as_error(self) -> InvalidInput:
        where = f"rows.{self.row}" + (f".{self.column.en}" if self.column else "")
        en_at = f"Row {self.row}" + (f", column {self.column.en}" if self.column else "")
        ja_at = f"{self.row}行目" + (f"「{self.column.ja}」列" if self.column else "")
        return InvalidInput(
            Text(f"{en_at}: {self.error.message.en}", f"{ja_at}: {self.error.message.ja}"),
            field=where,
            code=self.error.code,
        )


def sheet_error(message: Text, code: str, field_name: str = "sheet") -> InvalidInput:
    return InvalidInput(message, field=field_name, code=code)


def refuse_rows(problems: Sequence[RowError]) -> InvalidInput:
    """The one refusal for a sheet with bad rows: every problem listed (up to
    :data:`MAX_ERRORS`; the first found in each cell), in row order, the first
    named in ``field``."""
    seen: set[tuple[int, str]] = set()
    unique = []
    for p in sorted(problems, key=lambda p: p.row):
        cell = (p.row, p.column.key if p.column else "")
        if p.column is not None and cell in seen:
            continue
        seen.add(cell)
        unique.append(p)
    problems = unique
    errors = [p.as_error() for p in problems[:MAX_ERRORS]]
    first = errors[0]
    more = len(problems) - 1
    lines_en = "\n".join(f"- {e.message.en}" for e in errors[:20])
    lines_ja = "\n".join(f"- {e.message.ja}" for e in errors[:20])
    tail_en = f"\n… and {len(problems) - 20} more." if len(problems) > 20 else ""
    tail_ja = f"\n…ほか{len(problems) - 20}件。" if len(problems) > 20 else ""
    return InvalidInput(
        Text(
            f"The sheet was not imported: {len(problems)} problem"
            f"{'s' if more else ''} found (nothing was changed; fix them and import the "
            f"whole sheet again):\n{lines_en}{tail_en}",
            f"シートは取り込まれませんでした。{len(problems)}件の問題があります（何も変更"
            f"されていません。修正してシート全体を再度取り込んでください）:\n{lines_ja}{tail_ja}",
        ),
        field=first.field,
        code="invalid_sheet",
        errors=errors,
    )


def _inner(code: str, en: str, ja: str) -> InvalidInput:
    return InvalidInput(Text(en, ja), code=code)


# -- reading -----------------------------------------------------------------------


@dataclass
class SheetRow:
    """One data row as read: its spreadsheet row number and its cells by column."""

    number: int
    cells: dict[str, str]
    objective_codes: list[str] = field(default_factory=list)

    def cell(self, column: Column) -> str:
        return self.cells.get(column.key, "")


def read_table(table: Iterable[Sequence[Any]]) -> tuple[list[SheetRow], list[RowError]]:
    """The data rows of a sheet (its first non-empty row is the header), and
    every problem found in the header and the cells. Fully empty rows are
    skipped; rows are numbered as the spreadsheet numbers them."""
    rows: list[SheetRow] = []
    problems: list[RowError] = []
    header: dict[int, Column] | None = None
    for number, raw in enumerate(table, start=1):
        values = [cell_text(v) for v in raw]
        if not any(v.strip() for v in values):
            continue
        if header is None:
            header = _read_header(number, values, problems)
            if header is None:
                return [], problems
            continue
        if len(rows) >= MAX_SHEET_ROWS:
            problems.append(
                RowError(
                    number,
                    None,
                    _inner(
                        "too_many_rows",
                        f"a sheet holds at most {MAX_SHEET_ROWS} MSEL rows",
                        f"一つのシートのMSEL行は{MAX_SHEET_ROWS}行までです",
                    ),
                )
            )
            return rows, problems
        cells: dict[str, str] = {}
        for index, value in enumerate(values):
            column = header.get(index)
            if column is None:
                if value.strip():
                    problems.append(
                        RowError(
                            number,
                            None,
                            _inner(
                                "cell_outside_columns",
                                f"column {index + 1} has a value but no header",
                                f"{index + 1}列目に見出しのない値があります",
                            ),
                        )
                    )
                continue
            try:
                cells[column.key] = cell_in(value.strip())
            except AllianceError as exc:
                problems.append(RowError(number, column, exc))
        rows.append(SheetRow(number, cells))
    if header is None:
        problems.append(
            RowError(
                1,
                None,
                _inner(
                    "empty_sheet",
                    "the sheet is empty: it needs a header row and MSEL rows",
                    "シートが空です。見出し行とMSEL行が必要です",
                ),
            )
        )
    return rows, problems


def _read_header(
    number: int, values: list[str], problems: list[RowError]
) -> dict[int, Column] | None:
    header: dict[int, Column] = {}
    seen: set[str] = set()
    bad = False
    for index, value in enumerate(values):
        if not value.strip():
            continue
        column = column_of_header(value)
        if column is None:
            known = ", ".join(c.en for c in COLUMNS)
            problems.append(
                RowError(
                    number,
                    None,
                    _inner(
                        "unknown_column",
                        f"column {index + 1}: '{value.strip()}' is not an MSEL column "
                        f"(known: {known}, or their Japanese names)",
                        f"{index + 1}列目:「{value.strip()}」はMSELの列ではありません"
                        f"（使える列: {'、'.join(c.ja for c in COLUMNS)}、または英語名）",
                    ),
                )
            )
            bad = True
            continue
        if column.key in seen:
            problems.append(
                RowError(
                    number,
                    column,
                    _inner(
                        "duplicate_column",
                        "this column appears twice in the header",
                        "この列が見出しに二度あります",
                    ),
                )
            )
            bad = True
            continue
        seen.add(column.key)
        header[index] = column
    for column in COLUMNS:
        if column.required and column.key not in seen:
            problems.append(
                RowError(
                    number,
                    column,
                    _inner(
                        "missing_column",
                        "the header has no such column, and it is required",
                        "見出しにこの列がありません（必須の列です）",
                    ),
                )
            )
            bad = True
    return None if bad else header


def split_list(text: str) -> list[str]:
    """A cell listing several values: ``;``, ``,`` or ``、`` between them."""
    return [p.strip() for p in re.split(r"[;,、；，]", text) if p.strip()]


def parse_method(text: str) -> Method:
    key = _norm(text).replace("-", "_")
    found = _METHODS.get(key) or _METHODS.get(key.replace("_", " ")) or _METHODS.get(text.strip())
    if found is None:
        raise _inner(
            "bad_method",
            f"'{text}' is not a delivery method: write one of {', '.join(m.value for m in Method)}",
            f"「{text}」は付与手段ではありません。{'、'.join(METHOD_JA.values())}"
            f"（または {', '.join(m.value for m in Method)}）のいずれかを記入してください",
        )
    return found


def inject_data(row: SheetRow) -> tuple[dict[str, Any], list[RowError]]:
    """The fields of an :class:`InjectIn` a row gives (objective ids aside:
    the desk looks up the codes in ``row.objective_codes``), and the problems
    of its cells that need no stored data to find."""
    problems: list[RowError] = []
    when = row.cell(WHEN)
    data: dict[str, Any] = {
        "serial": row.cell(SERIAL),
        "sender": row.cell(SENDER),
        "addressee_hq_id": row.cell(ADDRESSEE),
        "description": row.cell(DESCRIPTION),
        "description_ja": row.cell(DESCRIPTION_JA),
        "expected_action": row.cell(EXPECTED),
        "expected_action_ja": row.cell(EXPECTED_JA),
        "controller": row.cell(CONTROLLER),
        "marking": {"releasable_to": split_list(row.cell(RELEASABLE)), "tlp": row.cell(TLP)},
    }
    if when.upper().startswith("H"):
        data["h_plus"] = when
    elif when:
        data["due"] = when
    if row.cell(METHOD):
        try:
            data["method"] = parse_method(row.cell(METHOD))
        except AllianceError as exc:
            problems.append(RowError(row.number, METHOD, exc))
    row.objective_codes = split_list(row.cell(OBJECTIVES))
    for column in (SERIAL, WHEN, SENDER, ADDRESSEE, DESCRIPTION):
        if not row.cell(column):
            problems.append(
                RowError(
                    row.number,
                    column,
                    _inner("required", "the cell is empty and is required", "必須のセルが空です"),
                )
            )
    return data, problems


def validate_inject(row: SheetRow, data: dict[str, Any]) -> tuple[InjectIn | None, list[RowError]]:
    """``data`` as an :class:`InjectIn`, or the problems, each at its column."""
    try:
        return InjectIn.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ())]
            column = _FIELD_COLUMN.get(".".join(loc[:2])) or _FIELD_COLUMN.get(
                loc[0] if loc else ""
            )
            own_ja = (err.get("ctx") or {}).get("ja")
            ja = own_ja if isinstance(own_ja, str) else japanese(err)
            code = str(err["type"]) if isinstance(own_ja, str) else "invalid"
            problems.append(RowError(row.number, column, _inner(code, str(err["msg"]), ja)))
        return None, problems


def error_column(error: AllianceError) -> Column | None:
    """The column a desk error's ``field`` names (``objective_ids.0`` → Objectives)."""
    if error.field is None:
        return None
    parts = error.field.split(".")
    return _FIELD_COLUMN.get(".".join(parts[:2])) or _FIELD_COLUMN.get(parts[0])


# -- writing -----------------------------------------------------------------------


def header_row(lang: str = "en") -> list[str]:
    return [c.ja if lang == "ja" else c.en for c in COLUMNS]


def when_text(due: datetime | None, offset_s: int | None) -> str:
    """The DTG cell: the exercise DTG (ISO 8601 when it has seconds), or H+."""
    if due is None:
        return format_h_plus(offset_s or 0)
    if due.second or due.microsecond:
        return iso(due).replace(".000000Z", "Z")
    return format_dtg(due)


@dataclass(frozen=True, slots=True)
class SheetLine:
    """One MSEL row as a sheet shows it, cell by cell in :data:`COLUMNS` order."""

    serial: str
    when: str
    sender: str
    addressee_hq_id: str
    method: str
    description: str
    description_ja: str
    expected_action: str
    expected_action_ja: str
    objectives: str
    controller: str
    releasable_to: str
    tlp: str
    status: str

    def cells(self) -> list[str]:
        return [cell_out(getattr(self, c.key)) for c in COLUMNS]


__all__ = [
    "COLUMNS",
    "MAX_SHEET_BYTES",
    "MAX_SHEET_ROWS",
    "Column",
    "RowError",
    "SheetLine",
    "SheetRow",
    "cell_in",
    "cell_out",
    "error_column",
    "header_row",
    "inject_data",
    "read_table",
    "refuse_rows",
    "sheet_error",
    "validate_inject",
    "when_text",
]
